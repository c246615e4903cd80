using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using QualityPrediction.Models;
using QualityPrediction.Trees.Tests.TestSupport;

namespace QualityPrediction.Trees.Tests.DependencyInjection;

[TestFixture]
public sealed class TreesQualityPredictionBuilderExtensionsTests
{
    [Test]
    public async Task AddTreeModel_ComposedPredictorAnswersFromTheTreeRuntime()
    {
        var artifact = TrainedArtifacts.WineFastTree;
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddTreeModel("wine", artifact.ManifestPath, o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();

        foreach (var hosted in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var predictor = provider.GetRequiredService<IQualityPredictor>();
        var member = new ModelPredictor(provider.GetRequiredService<IModelCatalog>(), "wine");
        var result = predictor.Predict(artifact.Data.Contexts[0]);

        Assert.Multiple(() =>
        {
            Assert.That(member.Status.Runtime, Is.EqualTo("trees"));
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(result.ModelName, Is.EqualTo("wine"));
        });
    }

    [Test]
    public async Task ConfiguredRuntimeTrees_IsUsed()
    {
        var artifact = TrainedArtifacts.WineFastTree;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QualityPrediction:Models:0:Name"] = "wine",
            ["QualityPrediction:Models:0:Path"] = artifact.ManifestPath,
            ["QualityPrediction:Models:0:Runtime"] = "trees",
            ["QualityPrediction:Models:0:WatchForChanges"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddQualityPrediction(configuration.GetSection("QualityPrediction")).AddTreeRuntime().AddOnnxRuntime();
        await using var provider = services.BuildServiceProvider();

        foreach (var hosted in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var member = new ModelPredictor(provider.GetRequiredService<IModelCatalog>(), "wine");
        Assert.That(member.Status.Runtime, Is.EqualTo("trees"), member.Status.LastError);
    }

    [Test]
    public void AddTreeRuntime_Twice_RegistersOneRuntime()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddTreeRuntime().AddTreeRuntime();
        using var provider = services.BuildServiceProvider();
        Assert.That(provider.GetServices<IModelRuntime>().Count(r => r.Name == "trees"), Is.EqualTo(1));
    }
}
