using Microsoft.Extensions.Time.Testing;
using QualityPrediction.Models;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.Models;

[TestFixture]
public sealed class ModelPredictorTests
{
    [TestCase("onnx")]
    [TestCase("mlnet")]
    public async Task Predict_ReturnsModelResultWithCalibratedIntervalAndConfidence(string runtime)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
        using var predictor = await Predictors.LoadAsync(Fixtures.Numeric.ManifestPath, runtime, timeProvider: time);
        Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Loaded), predictor.Status.LastError);

        var calibration = Fixtures.Numeric.Manifest.Calibration!;
        foreach (var context in Fixtures.Numeric.HoldOut.Take(40))
        {
            var result = predictor.Predict(context);
            var bin = calibration.FindBin(result.Score);
            Assert.Multiple(() =>
            {
                Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
                Assert.That(result.ModelName, Is.EqualTo("member"));
                Assert.That(result.ModelVersion, Is.EqualTo("0001"));
                Assert.That(result.Score, Is.InRange(0, 100));
                Assert.That(result.Confidence, Is.EqualTo(bin.WithinTolerance));
                Assert.That(result.ConfidenceKind, Is.EqualTo(ConfidenceKind.Calibrated));
                Assert.That(result.Interval.Lower, Is.EqualTo(Math.Clamp(result.Score + bin.Lower, 0, 100)).Within(1e-12));
                Assert.That(result.Interval.Upper, Is.EqualTo(Math.Clamp(result.Score + bin.Upper, 0, 100)).Within(1e-12));
                Assert.That(result.Interval.Coverage, Is.EqualTo(0.9));
                Assert.That(result.Timestamp, Is.EqualTo(time.GetUtcNow()));
                Assert.That(result.PredictionId.Version, Is.EqualTo(7));
            });
        }
    }

    [Test]
    public async Task Predict_WithoutCalibration_HasNoConfidence()
    {
        var folder = Fixtures.NewFolder("nocal");
        var manifestPath = Fixtures.Numeric.CopyTo(folder);
        Predictors.EditManifest(manifestPath, m => m.Calibration = null);
        using var predictor = await Predictors.LoadAsync(manifestPath, "onnx");

        var result = predictor.Predict(Fixtures.Numeric.HoldOut[0]);
        Assert.Multiple(() =>
        {
            Assert.That(result.Confidence, Is.Zero);
            Assert.That(result.ConfidenceKind, Is.EqualTo(ConfidenceKind.None));
            Assert.That(result.Interval.Coverage, Is.Zero);
        });
    }

    [TestCase("onnx")]
    [TestCase("mlnet")]
    public async Task PredictBatch_MatchesSingleRowPredictions(string runtime)
    {
        using var predictor = await Predictors.LoadAsync(Fixtures.Categorical.ManifestPath, runtime);
        var contexts = Fixtures.Categorical.HoldOut.ToArray();
        var results = new QualityPredictionResult[contexts.Length];
        predictor.PredictBatch(contexts, results);

        for (var i = 0; i < contexts.Length; i++)
        {
            Assert.That(results[i].Score, Is.EqualTo(predictor.Predict(contexts[i]).Score).Within(1e-4), $"row {i}");
        }
    }

    [Test]
    public async Task PredictAsync_WithCancelledToken_Throws()
    {
        using var predictor = await Predictors.LoadAsync(Fixtures.Numeric.ManifestPath, "onnx");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        Assert.That(async () => await predictor.PredictAsync(Fixtures.Numeric.HoldOut[0], cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Predict_WrongFeatureKind_ThrowsArgumentExceptionNamingTheFeature()
    {
        using var predictor = await Predictors.LoadAsync(Fixtures.Categorical.ManifestPath, "onnx");
        var context = new PredictionContext { ["provider"] = 3 };
        Assert.That(() => predictor.Predict(context), Throws.ArgumentException.With.Message.Contains("provider"));
    }

    [Test]
    public async Task Runtime_IsInferred_OnnxPreferred_MLNetWhenOnnxArtifactMissing()
    {
        var folder = Fixtures.NewFolder("infer");
        var manifestPath = Fixtures.Numeric.CopyTo(folder);
        using (var predictor = await Predictors.LoadAsync(manifestPath, runtime: null))
        {
            Assert.That(predictor.Status.Runtime, Is.EqualTo("onnx"));
        }

        File.Delete(Path.Combine(folder, "numeric.onnx"));
        using (var predictor = await Predictors.LoadAsync(manifestPath, runtime: null))
        {
            Assert.That(predictor.Status.Runtime, Is.EqualTo("mlnet"));
            Assert.That(predictor.Predict(Fixtures.Numeric.HoldOut[0]).Source, Is.EqualTo(PredictionSource.Model));
        }
    }

    [Test]
    public void Catalog_UnregisteredRuntime_Throws()
    {
        var options = new ModelOptions { Name = "m", Path = Fixtures.Numeric.ManifestPath, Runtime = "tensorflow" };
        Assert.That(() => StandaloneModelCatalog.LoadAsync([options], Predictors.Runtimes), Throws.InvalidOperationException.With.Message.Contains("tensorflow"));
    }

    [Test]
    public async Task RegistryReference_ResolvesThroughAliases()
    {
        var registry = Fixtures.NewFolder("registry");
        Fixtures.Numeric.CopyTo(Path.Combine(registry, "numeric", "versions", "0001"));
        Fixtures.NumericV2.CopyTo(Path.Combine(registry, "numeric", "versions", "0002"));
        await File.WriteAllTextAsync(Path.Combine(registry, "numeric", "aliases.json"), """{ "champion": "0001", "challenger": "0002" }""");

        using var champion = await Predictors.LoadAsync(Path.Combine(registry, "numeric@champion"), "onnx");
        using var challenger = await Predictors.LoadAsync(Path.Combine(registry, "numeric@challenger"), "onnx");
        using var missing = await Predictors.LoadAsync(Path.Combine(registry, "numeric@production"), "onnx");
        using var pinned = await Predictors.LoadAsync(Path.Combine(registry, "numeric@0002"), "mlnet");
        Assert.Multiple(() =>
        {
            Assert.That(champion.Status.Version, Is.EqualTo("0001"));
            Assert.That(challenger.Status.Version, Is.EqualTo("0002"));
            Assert.That(pinned.Status.Version, Is.EqualTo("0002"), pinned.Status.LastError);
            Assert.That(missing.Status.State, Is.EqualTo(ModelLoadState.Failed));
            Assert.That(missing.Status.LastError, Does.Contain("aliases.json").And.Contain("'production' is not defined"));
        });
    }

    [Test]
    public async Task RegistryReference_VersionThatEscapes_IsRefused()
    {
        var registry = Fixtures.NewFolder("registry-escape");
        Directory.CreateDirectory(Path.Combine(registry, "numeric"));
        await File.WriteAllTextAsync(Path.Combine(registry, "numeric", "aliases.json"), """{ "champion": "../../x" }""");
        using var predictor = await Predictors.LoadAsync(Path.Combine(registry, "numeric@champion"), "onnx");
        Assert.That(predictor.Status.LastError, Does.Contain("aliases.json").And.Contain("valid version"));
    }

    [Test]
    public async Task Dispose_ThenPredict_ThrowsObjectDisposed()
    {
        var predictor = await Predictors.LoadAsync(Fixtures.Numeric.ManifestPath, "onnx");
        var model = predictor.CurrentModel!;
        predictor.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(() => predictor.Predict(Fixtures.Numeric.HoldOut[0]), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(model.IsDisposed, Is.True);
        });
    }
}
