using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Trees.Tests.TestSupport;

namespace QualityPrediction.Trees.Tests.Models;

/// <summary>How a <see cref="ModelPredictor"/> picks among the trees, ONNX Runtime and other runtimes.</summary>
[TestFixture]
public sealed class RuntimeChoiceTests
{
    private static readonly IModelRuntime[] Both = [new OnnxModelRuntime(), new TreeModelRuntime()];

    [Test]
    public async Task InferredRuntime_TreeModel_IsScoredByTheTreeRuntime()
    {
        var artifact = TrainedArtifacts.WineFastTree;
        using var predictor = await LoadAsync(artifact, runtime: null, Both);

        Assert.Multiple(() =>
        {
            Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Loaded), predictor.Status.LastError);
            Assert.That(predictor.Status.Runtime, Is.EqualTo("trees"));
            Assert.That(predictor.Predict(artifact.Data.Contexts[0]).Source, Is.EqualTo(PredictionSource.Model));
        });
    }

    [Test]
    public async Task InferredRuntime_LinearModel_FallsBackToOnnxRuntimeAndLogsWhy()
    {
        var artifact = TrainedArtifacts.WineSdca;
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        using var predictor = await LoadAsync(artifact, runtime: null, Both, loggerFactory);

        Assert.Multiple(() =>
        {
            Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Loaded), predictor.Status.LastError);
            Assert.That(predictor.Status.Runtime, Is.EqualTo("onnx"));
            var declined = logs.GetSnapshot().Single(r => r.Id.Name == "ModelRuntimeDeclined");
            Assert.That(declined.Message, Does.Contain("trees").And.Contain("ai.onnx.ml.LinearRegressor"));
        });
    }

    [Test]
    public async Task ExplicitTreesRuntime_LinearModel_FailsNamingTheOperator()
    {
        var artifact = TrainedArtifacts.WineSdca;
        using var predictor = await LoadAsync(artifact, runtime: "trees", Both);

        Assert.Multiple(() =>
        {
            Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Failed));
            Assert.That(predictor.Status.LastError, Does.Contain("ai.onnx.ml.LinearRegressor").And.Contain(artifact.OnnxPath));
        });
    }

    [Test]
    public async Task OnlyTheTreeRuntime_LinearModel_FailsNamingTheOperator()
    {
        var artifact = TrainedArtifacts.WineSdca;
        using var predictor = await LoadAsync(artifact, runtime: null, [new TreeModelRuntime()]);

        Assert.Multiple(() =>
        {
            Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Failed));
            Assert.That(predictor.Status.LastError, Does.Contain("ai.onnx.ml.LinearRegressor"));
        });
    }

    [Test]
    public async Task ExplicitRuntime_NotRegistered_ListsTheRegisteredNames()
    {
        var options = new ModelOptions { Name = "m", Path = TrainedArtifacts.WineFastTree.ManifestPath, Runtime = "trees", WatchForChanges = false };
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => StandaloneModelCatalog.LoadAsync([options], [new OnnxModelRuntime()]));
        Assert.That(ex!.Message, Does.Contain("'trees'").And.Contain("'onnx'"));
    }

    private static async Task<Loaded> LoadAsync(TrainedArtifacts.Artifact artifact, string? runtime, IModelRuntime[] runtimes, ILoggerFactory? loggerFactory = null)
    {
        var options = new ModelOptions { Name = "member", Path = artifact.ManifestPath, Runtime = runtime, WatchForChanges = false };
        var catalog = await StandaloneModelCatalog.LoadAsync([options], runtimes, loggerFactory: loggerFactory).WaitAsync(TimeSpan.FromSeconds(120));
        return new Loaded(catalog, new ModelPredictor(catalog, "member"));
    }

    /// <summary>A predictor with the catalog that owns its model.</summary>
    private sealed record Loaded(StandaloneModelCatalog Catalog, ModelPredictor Predictor) : IDisposable
    {
        public ModelStatus Status => Predictor.Status;

        public QualityPredictionResult Predict(PredictionContext context) => Predictor.Predict(context);

        public void Dispose() => Catalog.Dispose();
    }
}
