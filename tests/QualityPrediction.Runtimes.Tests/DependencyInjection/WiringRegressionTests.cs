using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.DependencyInjection;

/// <summary>
/// Issue 12, items 1 and 2: wiring a new user got silently wrong. Written against the DI surface only (no catalog
/// types), so that the same file runs on the code before the fix, where every test here fails.
/// </summary>
[TestFixture]
public sealed class WiringRegressionTests
{
    private static async Task StartAsync(IServiceProvider provider)
    {
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }

    private static ServiceCollection WithContentRoot(string contentRoot)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(contentRoot));
        return services;
    }

    // Item 1: the README's relative path, the model in the project folder (the host's content root), the host started
    // in another directory: every answer came from the default rules heuristic.
    [Test]
    public async Task A_relative_model_path_is_resolved_against_the_hosts_content_root()
    {
        var contentRoot = Fixtures.NewFolder("content-root");
        var manifest = Fixtures.Numeric.CopyTo(Path.Combine(contentRoot, "models"));
        var relative = Path.GetRelativePath(contentRoot, manifest);
        Assert.That(Path.Combine(Directory.GetCurrentDirectory(), relative), Does.Not.Exist, "the current directory must not hold the model, or this test proves nothing");
        Assert.That(Path.Combine(AppContext.BaseDirectory, relative), Does.Not.Exist);

        var services = WithContentRoot(contentRoot);
        services.AddQualityPrediction().AddOnnxModel("narration", relative, o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();
        await StartAsync(provider);

        var result = provider.GetRequiredService<IQualityPredictor>().Predict(Fixtures.Numeric.HoldOut[0]);
        Assert.That(result.Source, Is.EqualTo(PredictionSource.Model), string.Join("; ", result.Members.Select(m => $"{m.Name}: {m.Status} {m.Reason}")));
    }

    [Test]
    public async Task A_model_that_is_not_found_is_reported_with_the_full_resolved_path()
    {
        var contentRoot = Fixtures.NewFolder("content-root-empty");
        var services = WithContentRoot(contentRoot);
        services.AddQualityPrediction().AddOnnxModel("narration", "models/narration.model.json", o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();
        await StartAsync(provider);

        var member = provider.GetRequiredService<IQualityPredictor>().Predict(new PredictionContext { ["x1"] = 1.0 }).Members.Single(m => m.Name == "narration");
        Assert.That(member.Status, Is.EqualTo(MemberStatus.NotLoaded));
        Assert.That(member.Reason, Does.Contain(Path.Combine(contentRoot, "models", "narration.model.json")));
    }

    // Item 2: a model on [3, 9] under the options' default [0, 100] answered, and its fallbacks answered 70 ± 15.
    [Test]
    public async Task A_model_range_other_than_the_options_range_stops_the_start_naming_both()
    {
        var manifest = WineScaled("range-mismatch");
        var services = new ServiceCollection();
        services.AddQualityPrediction(o => (o.MinScore, o.MaxScore) = (0, 100)).AddOnnxModel("wine", manifest, o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.CatchAsync<OptionsValidationException>(() => StartAsync(provider));
        Assert.That(error!.Message, Does.Contain("[0, 100]").And.Contain("[3, 9]").And.Contain("wine"));
    }

    [Test]
    public async Task With_the_range_unset_the_models_range_is_taken_and_the_fallbacks_answer_inside_it()
    {
        var manifest = WineScaled("range-adopted");
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddOnnxModel("wine", manifest, o => o.WatchForChanges = false);
        await using var provider = services.BuildServiceProvider();
        await StartAsync(provider);
        var predictor = provider.GetRequiredService<IQualityPredictor>();

        var model = predictor.Predict(Fixtures.Numeric.HoldOut[0]);
        var fallback = predictor.Predict(new PredictionContext { ["provider"] = "openai" }); // none of the model's features
        Assert.Multiple(() =>
        {
            Assert.That(model.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(model.Score, Is.InRange(3, 9));
            Assert.That(fallback.Source, Is.EqualTo(PredictionSource.Heuristic));
            Assert.That(fallback.Score, Is.EqualTo(7.2).Within(1e-9), "the default rules answer 70 % of the way up the model's range");
            Assert.That(fallback.Interval.Lower, Is.GreaterThanOrEqualTo(3));
            Assert.That(fallback.Interval.Upper, Is.LessThanOrEqualTo(9));
        });
    }

    /// <summary>A copy of the numeric model whose manifest declares the target range [3, 9] (the wine scale) and tolerance 0.5.</summary>
    private static string WineScaled(string name)
    {
        var manifest = Fixtures.Numeric.CopyTo(Fixtures.NewFolder(name));
        Predictors.EditManifest(manifest, m =>
        {
            m.Target.Min = 3;
            m.Target.Max = 9;
            m.Target.Tolerance = 0.5;
        });
        return manifest;
    }

    private sealed class TestHostEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "WiringRegressionTests";

        public string ContentRootPath { get; set; } = contentRoot;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
