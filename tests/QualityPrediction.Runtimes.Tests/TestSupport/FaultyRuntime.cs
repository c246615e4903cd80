using QualityPrediction.Models;

namespace QualityPrediction.Runtimes.Tests.TestSupport;

/// <summary>
/// A real runtime with injected faults: its loads can be held at a gate (a slow first load), and its models can take
/// longer than any timeout to score while ignoring their token (as ML.NET's engine does).
/// </summary>
internal sealed class FaultyRuntime(IModelRuntime inner) : IModelRuntime
{
    public ManualResetEventSlim LoadGate { get; } = new(initialState: true);

    public TimeSpan ScoreDelay { get; set; }

    public string Format => inner.Format;

    public string Name => inner.Name;

    public IScoringModel Load(ModelManifest manifest, ArtifactInfo artifact, ReadOnlyMemory<byte> artifactBytes, ModelRuntimeOptions options)
    {
        LoadGate.Wait(TimeSpan.FromMinutes(2));
        return new Slow(inner.Load(manifest, artifact, artifactBytes, options), this);
    }

    private sealed class Slow(IScoringModel model, FaultyRuntime owner) : IScoringModel
    {
        public int InputLength => model.InputLength;

        public float Score(ReadOnlySpan<float> features, CancellationToken cancellationToken)
        {
            if (owner.ScoreDelay > TimeSpan.Zero)
            {
                Thread.Sleep(owner.ScoreDelay); // ignores the token on purpose
            }

            return model.Score(features, CancellationToken.None);
        }

        public void ScoreBatch(ReadOnlySpan<float> features, Span<float> scores, CancellationToken cancellationToken) => model.ScoreBatch(features, scores, CancellationToken.None);

        public void Dispose() => model.Dispose();
    }
}
