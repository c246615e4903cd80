using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.MLNet;

[TestFixture]
public sealed class MLNetModelRuntimeTests
{
    private static IScoringModel Load(TrainedModel model, ModelManifest? manifest = null)
    {
        manifest ??= model.Manifest;
        return new MLNetModelRuntime().Load(manifest, manifest.FindArtifact("mlnet")!, File.ReadAllBytes(model.ZipPath), new ModelRuntimeOptions());
    }

    private static float[][] Encode(TrainedModel model)
    {
        var encoder = FeatureEncoder.Create(model.Manifest);
        return [.. model.HoldOut.Select(c =>
        {
            var v = new float[encoder.Length];
            encoder.Encode(c, v);
            return v;
        })];
    }

    [Test]
    public void ConcurrentSingleRowScoring_OnPooledEngines_IsConsistent()
    {
        using var model = Load(Fixtures.Categorical);
        var rows = Encode(Fixtures.Categorical);
        var expected = rows.Select(r => model.Score(r, CancellationToken.None)).ToArray();
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var index = i % rows.Length;
            var score = model.Score(rows[index], CancellationToken.None);
            if (score != expected[index])
            {
                errors.Add($"row {index}: {score} != {expected[index]}");
            }
        });
        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void ScoreBatch_MatchesSingleRows()
    {
        using var model = Load(Fixtures.Numeric);
        var rows = Encode(Fixtures.Numeric);
        var scores = new float[rows.Length];
        model.ScoreBatch(rows.SelectMany(r => r).ToArray(), scores, CancellationToken.None);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.That(scores[i], Is.EqualTo(model.Score(rows[i], CancellationToken.None)).Within(1e-5), $"row {i}");
        }
    }

    [Test]
    public void ScoreBatch_WithCancelledToken_Throws()
    {
        using var model = Load(Fixtures.Numeric);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.That(() => model.ScoreBatch(new float[model.InputLength * 2], new float[2], cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void InputNameTheModelDoesNotRead_IsRefused()
    {
        var manifest = Fixtures.Numeric.ReadManifest();
        manifest.InputName = "Inputs";
        Assert.That(() => Load(Fixtures.Numeric, manifest), Throws.InstanceOf<ModelLoadException>()
            .With.Message.Contains("numeric.zip").And.Message.Contains("no input column 'Inputs'"));
    }

    [Test]
    public void Dispose_ThenScore_ThrowsObjectDisposed()
    {
        var model = Load(Fixtures.Numeric);
        model.Dispose();
        model.Dispose();
        Assert.That(() => model.Score(new float[model.InputLength], CancellationToken.None), Throws.TypeOf<ObjectDisposedException>());
    }
}
