using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using QualityPrediction.Models;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.Models;

[TestFixture]
public sealed class HotReloadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Replaces a model version's files in place, the manifest last and atomically, as training does.</summary>
    private static void Deploy(TrainedModel version, string folder)
    {
        File.Copy(version.ZipPath, Path.Combine(folder, "numeric.zip"), overwrite: true);
        File.Copy(version.OnnxPath, Path.Combine(folder, "numeric.onnx"), overwrite: true);
        var temp = Path.Combine(folder, "numeric.model.json.tmp");
        File.Copy(version.ManifestPath, temp, overwrite: true);
        File.Move(temp, Path.Combine(folder, "numeric.model.json"), overwrite: true);
    }

    private static Task<ModelStatus> NextLoad(CatalogModel predictor, Func<ModelStatus, bool> match)
    {
        var completion = new TaskCompletionSource<ModelStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        predictor.Catalog.OnChange(e =>
        {
            if (match(e))
            {
                completion.TrySetResult(e);
            }
        });
        return completion.Task;
    }

    private static async Task<double[]> ScoresAsync(TrainedModel version, string runtime, PredictionContext[] contexts)
    {
        using var predictor = await Predictors.LoadAsync(version.ManifestPath, runtime);
        return [.. contexts.Select(c => predictor.Predict(c).Score)];
    }

    [TestCase("onnx")]
    [TestCase("mlnet")]
    public async Task ManifestReplacedUnderConcurrentLoad_SwapsWithoutErrors(string runtime)
    {
        var contexts = Fixtures.Numeric.HoldOut.Take(50).ToArray();
        var expected = new Dictionary<string, double[]>
        {
            ["0001"] = await ScoresAsync(Fixtures.Numeric, runtime, contexts),
            ["0002"] = await ScoresAsync(Fixtures.NumericV2, runtime, contexts),
        };
        Assert.That(expected["0001"], Is.Not.EqualTo(expected["0002"]), "the two versions must score differently for this test to mean anything");

        var folder = Fixtures.NewFolder("swap-" + runtime);
        var manifest = Fixtures.Numeric.CopyTo(folder);
        using var predictor = await Predictors.LoadAsync(manifest, runtime, o =>
        {
            o.WatchForChanges = true;
            o.ReloadDebounce = TimeSpan.FromMilliseconds(100);
        });
        Assert.That(predictor.Status.Version, Is.EqualTo("0001"), predictor.Status.LastError);
        var first = predictor.CurrentModel!;
        var swapped = NextLoad(predictor, e => e.State == ModelLoadState.Loaded && e.Version == "0002");

        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var workers = Enumerable.Range(0, 3).Select(w => Task.Run(() =>
        {
            var mismatches = new List<string>();
            var i = w;
            while (!stop.IsCancellationRequested)
            {
                var index = i++ % contexts.Length;
                var result = predictor.Predict(contexts[index]);
                seen.AddOrUpdate(result.ModelVersion!, 1, (_, n) => n + 1);
                if (!expected.TryGetValue(result.ModelVersion!, out var scores) || scores[index] != result.Score)
                {
                    mismatches.Add($"{result.ModelVersion} row {index}: {result.Score}");
                }
            }

            return mismatches;
        })).ToArray();

        await Task.Delay(50);
        Deploy(Fixtures.NumericV2, folder);
        var loaded = await swapped.WaitAsync(Patience);
        await Task.Delay(50);
        await stop.CancelAsync();
        var mismatched = (await Task.WhenAll(workers)).SelectMany(m => m).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(loaded.State, Is.EqualTo(ModelLoadState.Loaded));
            Assert.That(mismatched, Is.Empty, "every result's score matches its version's");
            Assert.That(seen.Keys, Is.SubsetOf(new[] { "0001", "0002" }));
            Assert.That(seen.ContainsKey("0001") && seen.ContainsKey("0002"), Is.True, "both versions answered during the run");
            Assert.That(predictor.Predict(contexts[0]).ModelVersion, Is.EqualTo("0002"));
            Assert.That(first.IsDisposed, Is.True, "the old version is disposed once its predictions finished");
        });
    }

    [Test]
    public async Task FailedReload_KeepsTheOldModelAndReportsDegraded()
    {
        var folder = Fixtures.NewFolder("failed-reload");
        var manifest = Fixtures.Numeric.CopyTo(folder);
        using var predictor = await Predictors.LoadAsync(manifest, "onnx", o =>
        {
            o.WatchForChanges = true;
            o.ReloadDebounce = TimeSpan.FromMilliseconds(100);
        });
        var failed = NextLoad(predictor, e => e.LastError is not null);

        // A new manifest whose artifact hash does not match the file on disk.
        Predictors.EditManifest(manifest, m =>
        {
            m.Version = "0002";
            m.FindArtifact("onnx")!.Sha256 = new string('a', 64);
        });
        var failure = await failed.WaitAsync(Patience);

        var result = predictor.Predict(Fixtures.Numeric.HoldOut[0]);
        Assert.Multiple(() =>
        {
            Assert.That(failure.LastException, Is.InstanceOf<ModelLoadException>());
            Assert.That(failure.LastException!.Message, Does.Contain("numeric.onnx").And.Contain("SHA-256 mismatch"));
            Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Degraded));
            Assert.That(predictor.Status.Version, Is.EqualTo("0001"));
            Assert.That(predictor.Status.LastError, Does.Contain("SHA-256 mismatch"));
            Assert.That(result.ModelVersion, Is.EqualTo("0001"));
        });
    }

    [Test]
    public async Task SeveralFileEvents_AreDebouncedIntoOneReload()
    {
        var folder = Fixtures.NewFolder("debounce");
        var manifest = Fixtures.Numeric.CopyTo(folder);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
        using var predictor = await Predictors.LoadAsync(manifest, "onnx", o =>
        {
            o.WatchForChanges = true;
            o.ReloadDebounce = TimeSpan.FromSeconds(5);
        }, time);
        var loads = 0;
        predictor.Catalog.OnChange(_ => Interlocked.Increment(ref loads));
        var swapped = NextLoad(predictor, e => e.State == ModelLoadState.Loaded && e.Version == "0002");

        // A non-atomic copy: several writes, each firing file events; the debounce clock is not advanced yet.
        File.Copy(Fixtures.NumericV2.ZipPath, Path.Combine(folder, "numeric.zip"), overwrite: true);
        File.Copy(Fixtures.NumericV2.OnnxPath, Path.Combine(folder, "numeric.onnx"), overwrite: true);
        await File.WriteAllTextAsync(manifest, "{");
        File.Copy(Fixtures.NumericV2.ManifestPath, manifest, overwrite: true);
        File.SetLastWriteTimeUtc(manifest, time.GetUtcNow().UtcDateTime);
        await Task.Delay(300);
        Assert.That(Volatile.Read(ref loads), Is.Zero, "no reload before the debounce interval has passed");

        // Let the debounce interval pass (events still arriving re-arm it, so keep advancing until the reload is seen).
        for (var i = 0; i < 15 && !swapped.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(swapped, Task.Delay(2000));
        }

        var loaded = await swapped.WaitAsync(Patience);
        Assert.Multiple(() =>
        {
            Assert.That(loaded.Version, Is.EqualTo("0002"));
            Assert.That(Volatile.Read(ref loads), Is.EqualTo(1), "the half-written manifest was never loaded");
        });
    }

    [Test]
    public async Task LoadsAndFailedReloads_AreLoggedWithEventIdsAndTheFile()
    {
        var folder = Fixtures.NewFolder("logs");
        var manifest = Fixtures.Numeric.CopyTo(folder);
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(collector)));
        await using var catalog = await StandaloneModelCatalog.LoadAsync([new ModelOptions { Name = "member", Path = manifest, WatchForChanges = false }], Predictors.Runtimes, loggerFactory: loggerFactory);
        File.Delete(Path.Combine(folder, "numeric.onnx"));
        File.Delete(Path.Combine(folder, "numeric.zip"));
        await Assert.ThrowsAsync<ModelLoadException>(() => catalog.ReloadAsync("member"));

        var records = collector.GetSnapshot();
        var loaded = records.Single(r => r.Id.Id == 400);
        var failed = records.Single(r => r.Id.Id == 401);
        Assert.Multiple(() =>
        {
            Assert.That(loaded.Id.Name, Is.EqualTo("ModelLoaded"));
            Assert.That(loaded.Message, Does.Contain("0001").And.Contain("numeric.model.json"));
            Assert.That(failed.Level, Is.EqualTo(LogLevel.Error));
            Assert.That(failed.Message, Does.Contain("version 0001 keeps serving"));
            Assert.That(failed.Exception!.Message, Does.Contain("numeric.onnx").And.Contain("does not exist"));
        });
    }

    [Test]
    public async Task ReloadAsync_LoadsTheNewVersion_AndDisposesTheOldOneAfterItsLeases()
    {
        var folder = Fixtures.NewFolder("reload-now");
        var manifest = Fixtures.Numeric.CopyTo(folder);
        using var predictor = await Predictors.LoadAsync(manifest, "onnx");
        var old = predictor.CurrentModel!;
        Assert.That(old.TryAcquire(), Is.True, "an in-flight prediction holds a lease");

        Deploy(Fixtures.NumericV2, folder);
        await predictor.ReloadAsync();

        Assert.Multiple(() =>
        {
            Assert.That(predictor.Status.Version, Is.EqualTo("0002"));
            Assert.That(predictor.Predict(Fixtures.Numeric.HoldOut[0]).ModelVersion, Is.EqualTo("0002"));
            Assert.That(old.IsDisposed, Is.False, "not disposed while a prediction still uses it");
        });

        old.Release();
        Assert.That(old.IsDisposed, Is.True);
    }

    [Test]
    public async Task ReloadAsync_WithBrokenManifest_ThrowsAndKeepsServing()
    {
        var folder = Fixtures.NewFolder("reload-broken");
        var manifest = Fixtures.Numeric.CopyTo(folder);
        using var predictor = await Predictors.LoadAsync(manifest, "mlnet");
        await File.WriteAllTextAsync(manifest, "{ not json");

        var error = await Assert.ThrowsAsync<ModelFormatException>(() => predictor.ReloadAsync());
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("numeric.model.json").And.Contain("malformed manifest JSON"));
            Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Degraded));
            Assert.That(predictor.Predict(Fixtures.Numeric.HoldOut[0]).ModelVersion, Is.EqualTo("0001"));
        });
    }

    [Test]
    public async Task ModelAppearingLater_IsLoadedByReloadAsync()
    {
        var folder = Fixtures.NewFolder("late");
        var manifest = Path.Combine(folder, "numeric.model.json");
        using var predictor = await Predictors.LoadAsync(manifest, "onnx");
        Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Failed));

        Fixtures.Numeric.CopyTo(folder);
        await predictor.ReloadAsync();
        Assert.That(predictor.Predict(Fixtures.Numeric.HoldOut[0]).Source, Is.EqualTo(PredictionSource.Model));
    }

    [Test]
    public async Task RegistryAliasChange_ReloadsTheNewChampion()
    {
        var registry = Fixtures.NewFolder("alias-watch");
        Fixtures.Numeric.CopyTo(Path.Combine(registry, "numeric", "versions", "0001"));
        Fixtures.NumericV2.CopyTo(Path.Combine(registry, "numeric", "versions", "0002"));
        var aliases = Path.Combine(registry, "numeric", "aliases.json");
        await File.WriteAllTextAsync(aliases, """{ "champion": "0001" }""");

        using var predictor = await Predictors.LoadAsync(Path.Combine(registry, "numeric@champion"), "onnx", o =>
        {
            o.WatchForChanges = true;
            o.ReloadDebounce = TimeSpan.FromMilliseconds(100);
        });
        Assert.That(predictor.Status.Version, Is.EqualTo("0001"), predictor.Status.LastError);
        var promoted = NextLoad(predictor, e => e.State == ModelLoadState.Loaded && e.Version == "0002");

        await File.WriteAllTextAsync(aliases, """{ "champion": "0002" }""");
        await promoted.WaitAsync(Patience);
        Assert.That(predictor.Predict(Fixtures.Numeric.HoldOut[0]).ModelVersion, Is.EqualTo("0002"));
    }
}
