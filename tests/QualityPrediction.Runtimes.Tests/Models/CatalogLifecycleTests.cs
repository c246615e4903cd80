using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using QualityPrediction.Ensemble;
using QualityPrediction.Heuristics;
using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.Models;

/// <summary>The catalog's lifecycle: deploys it must see, loads that must not block, members that must not lie (issues 12 and 18).</summary>
[TestFixture]
public sealed class CatalogLifecycleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static ModelOptions Watched(string path) => new()
    {
        Name = "numeric",
        Path = path,
        Runtime = "onnx",
        WatchForChanges = true,
        ReloadDebounce = TimeSpan.FromMilliseconds(100),
        RetryMaxDelay = TimeSpan.FromSeconds(1),
    };

    private static Task<ModelStatus> Next(IModelCatalog catalog, Func<ModelStatus, bool> match)
    {
        var done = new TaskCompletionSource<ModelStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        catalog.OnChange(s =>
        {
            if (match(s))
            {
                done.TrySetResult(s);
            }
        });
        return done.Task;
    }

    private static bool Live(ModelStatus s, string version) => s.State == ModelLoadState.Loaded && s.Version == version;

    // Issue 12: a folder that did not exist when the model was configured got no watcher at all.
    [Test]
    public async Task A_model_folder_that_does_not_exist_yet_is_watched_and_loads_when_it_appears()
    {
        var root = Fixtures.NewFolder("appears");
        var folder = Path.Combine(root, "models", "numeric");
        await using var catalog = await StandaloneModelCatalog.LoadAsync([Watched(Path.Combine(folder, "numeric.model.json"))], [new OnnxModelRuntime()]);
        Assert.That(catalog.GetStatus("numeric").State, Is.EqualTo(ModelLoadState.Failed));
        Assert.That(catalog.GetStatus("numeric").LastError, Does.Contain(folder).And.Contain("does not exist"));
        var live = Next(catalog, s => Live(s, "0001"));

        Fixtures.Numeric.CopyTo(folder);

        Assert.That((await live.WaitAsync(Patience)).Version, Is.EqualTo("0001"));
    }

    // Issue 12: a deploy that swaps a symbolic link to a new folder (Kubernetes ConfigMap ..data) must reload.
    [Test]
    public async Task A_deploy_that_swaps_a_symbolic_link_to_a_new_folder_is_picked_up()
    {
        var root = Fixtures.NewFolder("configmap");
        Fixtures.Numeric.CopyTo(Path.Combine(root, "..v1"));
        Fixtures.NumericV2.CopyTo(Path.Combine(root, "..v2"));
        Directory.CreateSymbolicLink(Path.Combine(root, "..data"), "..v1");
        foreach (var file in new[] { "numeric.model.json", "numeric.onnx", "numeric.zip" })
        {
            File.CreateSymbolicLink(Path.Combine(root, file), Path.Combine("..data", file));
        }

        await using var catalog = await StandaloneModelCatalog.LoadAsync([Watched(Path.Combine(root, "numeric.model.json"))], [new OnnxModelRuntime()]);
        Assert.That(catalog.GetStatus("numeric").Version, Is.EqualTo("0001"), catalog.GetStatus("numeric").LastError);
        var swapped = Next(catalog, s => Live(s, "0002"));

        // What the kubelet does: a new link, renamed over ..data in one step.
        Directory.CreateSymbolicLink(Path.Combine(root, "..data_tmp"), "..v2");
        using (var rename = Process.Start(new ProcessStartInfo("mv", ["-T", Path.Combine(root, "..data_tmp"), Path.Combine(root, "..data")])))
        {
            await rename!.WaitForExitAsync();
            Assert.That(rename.ExitCode, Is.Zero);
        }

        Assert.That((await swapped.WaitAsync(Patience)).Version, Is.EqualTo("0002"));
    }

    // Issue 18, item 2: the manifest written before its artifact failed the reload for good.
    [Test]
    public async Task A_deploy_whose_manifest_lands_before_its_artifact_goes_live_once_the_artifact_lands()
    {
        var folder = Fixtures.NewFolder("manifest-first");
        var manifest = Fixtures.Numeric.CopyTo(folder);
        await using var catalog = await StandaloneModelCatalog.LoadAsync([Watched(manifest)], [new OnnxModelRuntime()]);
        var failed = Next(catalog, s => s.State == ModelLoadState.Degraded);
        var live = Next(catalog, s => Live(s, "0002"));

        File.Copy(Fixtures.NumericV2.ManifestPath, manifest, overwrite: true);
        await failed.WaitAsync(Patience);
        Assert.That(catalog.GetStatus("numeric").Version, Is.EqualTo("0001"), "the old version keeps serving meanwhile");
        File.Copy(Fixtures.NumericV2.OnnxPath, Path.Combine(folder, "numeric.onnx"), overwrite: true);
        File.Copy(Fixtures.NumericV2.ZipPath, Path.Combine(folder, "numeric.zip"), overwrite: true);

        Assert.That((await live.WaitAsync(Patience)).Version, Is.EqualTo("0002"));
    }

    // Issue 18, item 4: a FIFO in place of the manifest blocked the first load in open() for good.
    [Test]
    public async Task A_pipe_in_place_of_the_manifest_is_refused_without_opening_it()
    {
        var folder = Fixtures.NewFolder("fifo");
        var manifest = Path.Combine(folder, "numeric.model.json");
        using (var mkfifo = Process.Start("mkfifo", manifest))
        {
            await mkfifo.WaitForExitAsync();
        }

        var options = Watched(manifest);
        options.WatchForChanges = false;
        await using var catalog = await StandaloneModelCatalog.LoadAsync([options], [new OnnxModelRuntime()]).WaitAsync(Patience);
        var status = catalog.GetStatus("numeric");
        Assert.That(status.State, Is.EqualTo(ModelLoadState.Failed));
        Assert.That(status.LastError, Does.Contain(manifest).And.Contain("not a regular file"));
        Assert.That(async () => await catalog.ReloadAsync("numeric").WaitAsync(Patience), Throws.InstanceOf<ModelLoadException>());
    }

    // Issue 18, item 1: a swap that turns a numeric feature into a categorical one made every caller throw.
    [Test]
    public async Task A_version_that_changes_a_features_kind_is_refused_naming_it_and_the_old_one_keeps_serving()
    {
        var folder = Fixtures.NewFolder("schema-change");
        var manifest = Fixtures.Numeric.CopyTo(folder);
        var options = Watched(manifest);
        options.WatchForChanges = false;
        await using var catalog = await StandaloneModelCatalog.LoadAsync([options], [new OnnxModelRuntime()]);
        Predictors.EditManifest(manifest, m =>
        {
            m.Version = "0002";
            var x1 = m.Features.Single(f => f.Name == "x1");
            x1.Kind = FeatureEncoding.Categorical;
            x1.Categories = [];
            m.InputLength += 1; // one numeric slot becomes the (rare) and (unknown) slots
        });

        var error = await Assert.CatchAsync<ModelLoadException>(() => catalog.ReloadAsync("numeric"));
        Assert.That(error!.Message, Does.Contain("feature 'x1' changes from numeric to categorical").And.Contain("AcceptSchemaChanges"));
        Assert.That(catalog.GetStatus("numeric").Version, Is.EqualTo("0001"));
        Assert.That(new ModelPredictor(catalog, "numeric").Predict(Fixtures.Numeric.HoldOut[0]).ModelVersion, Is.EqualTo("0001"));
    }

    // Issue 12: about 10 calls during a slow first load opened the breaker for 15 s after the model was ready.
    [Test]
    public async Task Calls_during_a_slow_first_load_are_NotLoaded_at_once_and_never_open_the_breaker()
    {
        var runtime = new FaultyRuntime(new OnnxModelRuntime());
        runtime.LoadGate.Reset();
        var options = Watched(Fixtures.Numeric.ManifestPath);
        options.WatchForChanges = false;
        // The internal catalog, as a host's DI holds it: its first load starts on first use and is held at the gate.
        var catalog = new QualityPrediction.Models.Internal.DefaultModelCatalog([options], [runtime], Directory.GetCurrentDirectory(), TimeSpan.Zero, null, null, null);
        try
        {
            using var ensemble = new EnsemblePredictor(
                "e",
                [EnsembleMember.Model(catalog, "numeric"), EnsembleMember.Heuristic(new RuleBasedHeuristicPredictor(new HeuristicRules(), ScoreRange.Percent, 5))],
                new EnsembleOptions { MemberTimeout = TimeSpan.FromMilliseconds(50), CircuitBreaker = new CircuitBreakerSettings { MinimumThroughput = 2 } },
                ScoreRange.Percent);
            var clock = Stopwatch.StartNew();
            var during = Enumerable.Range(0, 20).Select(_ => ensemble.Predict(Fixtures.Numeric.HoldOut[0]).Members[0]).ToList();
            var elapsed = clock.Elapsed;
            runtime.LoadGate.Set();
            await catalog.Find("numeric").FirstLoad.WaitAsync(Patience);

            var after = ensemble.Predict(Fixtures.Numeric.HoldOut[0]);
            Assert.Multiple(() =>
            {
                Assert.That(during.Select(m => m.Status).Distinct(), Is.EqualTo(new[] { MemberStatus.NotLoaded }));
                Assert.That(during[0].Reason, Does.Contain("still running"));
                Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "no call waited for the load");
                Assert.That(after.Source, Is.EqualTo(PredictionSource.Model), "the breaker did not count NotLoaded as failures");
            });
        }
        finally
        {
            runtime.LoadGate.Set();
            catalog.Dispose();
        }
    }

    // Issue 12: an engine that ignores its token (ML.NET) answered after the timeout and the answer was used as Ok.
    [Test]
    public async Task An_answer_that_comes_after_the_member_timeout_is_TimedOut_and_not_used()
    {
        var runtime = new FaultyRuntime(new OnnxModelRuntime());
        var options = Watched(Fixtures.Numeric.ManifestPath);
        options.WatchForChanges = false;
        await using var catalog = await StandaloneModelCatalog.LoadAsync([options], [runtime]);
        using var ensemble = new EnsemblePredictor(
            "e",
            [EnsembleMember.Model(catalog, "numeric"), EnsembleMember.Heuristic(new RuleBasedHeuristicPredictor(new HeuristicRules(), ScoreRange.Percent, 5))],
            new EnsembleOptions { MemberTimeout = TimeSpan.FromMilliseconds(20) },
            ScoreRange.Percent);
        runtime.ScoreDelay = TimeSpan.FromMilliseconds(300);

        var clock = Stopwatch.StartNew();
        var result = ensemble.Predict(Fixtures.Numeric.HoldOut[0]);
        TestContext.Out.WriteLine($"elapsed {clock.ElapsedMilliseconds} ms; {result.Members[0].Reason}");

        Assert.That((result.Members[0].Status, result.Source), Is.EqualTo((MemberStatus.TimedOut, PredictionSource.Heuristic)));
        Assert.That(result.Members[0].Score, Is.Null);
    }

    // Issue 12, item 3: unknown and missing features were silent.
    [Test]
    public async Task An_unknown_feature_is_logged_once_with_a_did_you_mean_and_counted()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        using var meterFactory = new TestMeterFactory();
        using var unknown = new MetricCollector<long>(meterFactory, QualityPredictionInstruments.MeterName, QualityPredictionInstruments.UnknownFeatures);
        var options = Watched(Fixtures.Numeric.ManifestPath);
        options.WatchForChanges = false;
        await using var catalog = await StandaloneModelCatalog.LoadAsync([options], [new OnnxModelRuntime()], loggerFactory: loggerFactory, meterFactory: meterFactory);
        var predictor = new ModelPredictor(catalog, "numeric");
        var context = new PredictionContext { ["x1"] = 0.5, ["xx2"] = 1.0 };

        var first = predictor.Predict(context);
        predictor.Predict(context);

        var warnings = logs.GetSnapshot().Where(r => r.Id.Name == "UnknownFeature").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Has.Count.EqualTo(1), "once per model and name");
            Assert.That(warnings[0].Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warnings[0].Message, Does.Contain("'xx2'").And.Contain("did you mean 'x2'"));
            Assert.That(unknown.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
            Assert.That((first.FeaturesSupplied, first.FeaturesExpected), Is.EqualTo((1, 4)));
        });
    }

    [Test]
    public async Task Under_Throw_an_unknown_feature_is_an_ArgumentException_to_the_caller_also_through_an_ensemble()
    {
        var options = Watched(Fixtures.Numeric.ManifestPath);
        options.WatchForChanges = false;
        options.UnknownFeatures = UnknownFeatureHandling.Throw;
        await using var catalog = await StandaloneModelCatalog.LoadAsync([options], [new OnnxModelRuntime()]);
        using var ensemble = new EnsemblePredictor("e", [EnsembleMember.Model(catalog, "numeric")], new EnsembleOptions(), ScoreRange.Percent);
        var context = new PredictionContext { ["x1"] = 0.5, ["alcohl"] = 12.5 };

        Assert.That(() => new ModelPredictor(catalog, "numeric").Predict(context), Throws.ArgumentException.With.Message.Contains("'alcohl'").And.Message.Contains("x1, x2, x3, x4"));
        Assert.That(() => ensemble.Predict(context), Throws.ArgumentException.With.Message.Contains("'alcohl'"));
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
