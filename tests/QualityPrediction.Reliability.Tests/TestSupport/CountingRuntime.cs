using QualityPrediction.Models;

namespace QualityPrediction.Reliability.Tests.TestSupport;

/// <summary>
/// Wraps a real runtime and counts what it does: loads (the engine was handed bytes to parse) and scoring models
/// created and disposed, so a test can prove that refused artifacts never reach the engine and that retired models
/// release their native sessions / engines.
/// </summary>
internal sealed class CountingRuntime(IModelRuntime inner) : IModelRuntime
{
    private int _loads;
    private int _created;
    private int _disposed;

    public string Format => inner.Format;

    /// <summary>Gets how many times the engine was asked to parse an artifact.</summary>
    public int Loads => Volatile.Read(ref _loads);

    /// <summary>Gets how many scoring models the engine produced.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Gets how many of them were disposed.</summary>
    public int Disposed => Volatile.Read(ref _disposed);

    /// <summary>Gets how many scoring models hold native resources now.</summary>
    public int Live => Created - Disposed;

    public IScoringModel Load(ModelManifest manifest, ArtifactInfo artifact, ReadOnlyMemory<byte> artifactBytes, ModelRuntimeOptions options)
    {
        Interlocked.Increment(ref _loads);
        var model = inner.Load(manifest, artifact, artifactBytes, options);
        Interlocked.Increment(ref _created);
        return new CountingModel(model, this);
    }

    private sealed class CountingModel(IScoringModel inner, CountingRuntime owner) : IScoringModel
    {
        private int _disposed;

        public int InputLength => inner.InputLength;

        public float Score(ReadOnlySpan<float> features, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return inner.Score(features, cancellationToken);
        }

        public void ScoreBatch(ReadOnlySpan<float> features, Span<float> scores, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            inner.ScoreBatch(features, scores, cancellationToken);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            inner.Dispose();
            Interlocked.Increment(ref owner._disposed);
        }
    }
}
