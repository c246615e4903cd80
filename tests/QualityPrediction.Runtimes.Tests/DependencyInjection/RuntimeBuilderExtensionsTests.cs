using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.DependencyInjection;

[TestFixture]
public sealed class RuntimeBuilderExtensionsTests
{
    [Test]
    public async Task AddOnnxModel_ComposedPredictorAnswersFromTheModel()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddOnnxModel("quality", Fixtures.Numeric.ManifestPath, o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();
        await StartHostedServicesAsync(provider);

        var predictor = provider.GetRequiredService<IQualityPredictor>();
        var result = predictor.Predict(Fixtures.Numeric.HoldOut[0]);

        Assert.Multiple(() =>
        {
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(result.ModelName, Is.EqualTo("quality"));
            Assert.That(result.ModelVersion, Is.EqualTo("0001"));
        });
    }

    [Test]
    public async Task AddMLNetModel_ComposedPredictorAnswersFromTheModelOnceLoaded()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddMLNetModel("quality", Fixtures.Categorical.ManifestPath, o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();

        // What a host does at start: the catalog starts the first loads and waits for them, then the predictors are built.
        await StartHostedServicesAsync(provider);
        var predictor = provider.GetRequiredService<IQualityPredictor>();
        var catalog = provider.GetRequiredService<IModelCatalog>();

        var result = await predictor.PredictAsync(Fixtures.Categorical.HoldOut[0]);
        Assert.Multiple(() =>
        {
            Assert.That(catalog.GetStatus("quality").Runtime, Is.EqualTo("mlnet"));
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
        });
    }

    [Test]
    public async Task AddModel_WithoutARuntime_InfersItFromTheRegisteredRuntimes()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddOnnxRuntime().AddModel("quality", Fixtures.Numeric.ManifestPath, configure: o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();
        await StartHostedServicesAsync(provider);

        var result = provider.GetRequiredService<IQualityPredictor>().Predict(Fixtures.Numeric.HoldOut[0]);

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IModelCatalog>().GetStatus("quality").Runtime, Is.EqualTo("onnx"));
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
        });
    }

    [Test]
    public void RuntimeVerbs_RejectEmptyArguments_BeforeRegisteringAnything()
    {
        var services = new ServiceCollection();
        var builder = services.AddQualityPrediction();
        var before = services.Count;

        Assert.Multiple(() =>
        {
            Assert.That(() => builder.AddOnnxModel(" ", "m.model.json"), Throws.ArgumentException.With.Property("ParamName").EqualTo("name"));
            Assert.That(() => builder.AddMLNetModel("quality", ""), Throws.ArgumentException.With.Property("ParamName").EqualTo("manifestPath"));
            Assert.That(() => builder.AddModel("quality", "m.model.json", runtime: ""), Throws.ArgumentException.With.Property("ParamName").EqualTo("runtime"));
            Assert.That(services, Has.Count.EqualTo(before));
        });
    }

    [Test]
    public async Task HostStart_WaitsForTheModelsFirstLoad_SoTheFirstAnswerComesFromTheModel()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddMLNetModel("quality", Fixtures.Categorical.ManifestPath, o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();

        await StartHostedServicesAsync(provider);

        var member = provider.GetRequiredService<IModelCatalog>().GetStatus("quality");
        Assert.That(member.State, Is.EqualTo(ModelLoadState.Loaded), "the host's start returned before the model was loaded");
        var result = provider.GetRequiredService<IQualityPredictor>().Predict(Fixtures.Categorical.HoldOut[0]);
        Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
    }

    [Test]
    public async Task ModelsFromConfiguration_InferTheRuntime()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QualityPrediction:Models:0:Name"] = "quality",
            ["QualityPrediction:Models:0:Path"] = Fixtures.Numeric.ManifestPath,
            ["QualityPrediction:Models:0:WatchForChanges"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddQualityPrediction(configuration.GetSection("QualityPrediction")).AddOnnxRuntime().AddMLNetRuntime();
        await using var provider = services.BuildServiceProvider();
        await StartHostedServicesAsync(provider);

        var result = provider.GetRequiredService<IQualityPredictor>().Predict(Fixtures.Numeric.HoldOut[0]);
        Assert.Multiple(() =>
        {
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(provider.GetServices<IModelRuntime>().Select(r => r.Name), Is.EquivalentTo(new[] { "onnx", "mlnet" }));
        });
    }

    [Test]
    public void MissingModel_FallsBackToTheHeuristicAndSaysWhy()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddOnnxModel("quality", Path.Combine(Fixtures.NewFolder("di-missing"), "gone.model.json"), o => o.WatchForChanges = false);
        using var provider = services.BuildServiceProvider();

        var result = provider.GetRequiredService<IQualityPredictor>().Predict(new PredictionContext { ["provider"] = "openai" });
        var member = result.Members.Single(m => m.Name == "quality");
        Assert.Multiple(() =>
        {
            Assert.That(result.Source, Is.Not.EqualTo(PredictionSource.Model));
            Assert.That(member.Status, Is.EqualTo(MemberStatus.NotLoaded));
            Assert.That(member.Reason, Does.Contain("gone.model.json"));
        });
    }

    [Test]
    public async Task MissingModel_FallingBackThrowsNoExceptionPerCall()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddOnnxModel("quality", Path.Combine(Fixtures.NewFolder("di-missing-cheap"), "gone.model.json"), o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();
        await StartHostedServicesAsync(provider);
        var predictor = provider.GetRequiredService<IQualityPredictor>();
        var catalog = provider.GetRequiredService<IModelCatalog>();

        var thrown = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is ModelNotLoadedException)
            {
                Interlocked.Increment(ref thrown);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            for (var i = 0; i < 100; i++)
            {
                var result = i % 2 == 0 ? predictor.Predict(new PredictionContext()) : await predictor.PredictAsync(new PredictionContext());
                Assert.That(result.Members.Single(m => m.Name == "quality").Status, Is.EqualTo(MemberStatus.NotLoaded));
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        Assert.That(thrown, Is.Zero, "the ensemble checks the model's state instead of catching an exception per call");
        Assert.That(() => new ModelPredictor(catalog, "quality").Predict(new PredictionContext()), Throws.InstanceOf<ModelNotLoadedException>().With.Message.Contains("gone.model.json"), "called directly, the predictor still throws");
    }

    [Test]
    public void RegisteringTwice_AddsEachRuntimeOnce()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction()
            .AddOnnxModel("a", Fixtures.Numeric.ManifestPath)
            .AddOnnxModel("b", Fixtures.Numeric.ManifestPath)
            .AddMLNetRuntime()
            .AddMLNetRuntime();

        var runtimes = services.Where(d => d.ServiceType == typeof(IModelRuntime)).Select(d => d.ImplementationType).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(runtimes, Is.EquivalentTo(new[] { typeof(OnnxModelRuntime), typeof(MLNetModelRuntime) }));
            Assert.That(services.Count(d => d.ServiceType == typeof(IModelCatalog)), Is.EqualTo(1));
        });
    }

    [Test]
    public void AddOnnxModel_AddsTheModelToTheNamedOptions()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction("ranker").AddOnnxModel("quality", "models/quality.model.json", o => o.Weight = 2);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<QualityPredictionOptions>>();
        var model = options.Get("ranker").Models.Single();
        Assert.Multiple(() =>
        {
            Assert.That(model.Name, Is.EqualTo("quality"));
            Assert.That(model.Runtime, Is.EqualTo("onnx"));
            Assert.That(model.Weight, Is.EqualTo(2));
            Assert.That(options.Get(Microsoft.Extensions.Options.Options.DefaultName).Models, Is.Empty);
        });
    }

    /// <summary>Starts the hosted services as a host's start does (the catalog's first loads, then the predictors).</summary>
    private static async Task StartHostedServicesAsync(IServiceProvider provider)
    {
        foreach (var hosted in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }
}
