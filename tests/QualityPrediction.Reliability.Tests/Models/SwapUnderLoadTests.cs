using System.Collections.Concurrent;
using System.Diagnostics;
using QualityPrediction.Ensemble;
using QualityPrediction.Heuristics;
using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Reliability.Tests.TestSupport;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.Models;

/// <summary>
/// Eight threads predict without pause while the model is hot-swapped again and again, a quarter of the swaps to corrupt
/// or mismatched versions. No exception may reach a caller, every result must come from exactly one valid version with
/// that version's score for that context, refused versions never go live, and retired models release their engines.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SwapUnderLoadTests
{
    private static readonly string[] ValidVersions = ["0001", "0002", "0003"];

    /// <summary>Spoiled versions: hash mismatch, features that do not match the model, a truncated artifact (rehashed so only the engine can tell), an unknown manifest format.</summary>
    private static readonly string[] BadVersions = ["9001", "9002", "9003", "9004"];

    [TestCase("onnx")]
    [TestCase("mlnet")]
    public async Task HotSwapsUnderConcurrentLoad_NeverFailACallerAndNeverServeARefusedVersion(string format)
    {
        var registry = BuildRegistry(format);
        var contexts = Enumerable.Range(0, 64).Select(i => FixtureData.GenerateNumeric(new Random(1000 + i))).ToArray();
        var expected = await ExpectedScoresAsync(format, contexts);

        var runtime = new CountingRuntime(format == "onnx" ? new OnnxModelRuntime() : new MLNetModelRuntime());
        registry.Promote("0001");
        using var predictor = await CatalogModel.LoadAsync(new ModelOptions { Name = "numeric", Path = registry.Reference, Runtime = format, WatchForChanges = false }, [runtime]);
        Assert.That(predictor.Status.Version, Is.EqualTo("0001"));
        var range = predictor.Status.Manifest!.Target.Range;
        var ensemble = new EnsemblePredictor(
            "ensemble",
            [EnsembleMember.Model(predictor.Catalog, predictor.Name), EnsembleMember.Heuristic(new RuleBasedHeuristicPredictor(new HeuristicRules(), range, 5))],
            new EnsembleOptions { MemberTimeout = TimeSpan.FromMinutes(1) },
            range);

        var errors = new ConcurrentQueue<string>();
        var seen = new ConcurrentDictionary<string, long>();
        long predictions = 0;
        using var stop = new CancellationTokenSource();
        var threads = Enumerable.Range(0, Settings.PredictionThreads).Select(t => new Thread(() =>
        {
            var i = t;
            var batch = new QualityPredictionResult[4];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var index = i++ % contexts.Length;
                    switch (t % 4)
                    {
                        case 0:
                            Check(predictor.Predict(contexts[index]), index);
                            break;
                        case 1:
                            Check(predictor.PredictAsync(contexts[index]).AsTask().GetAwaiter().GetResult(), index);
                            break;
                        case 2:
                            var start = index % (contexts.Length - 4);
                            predictor.PredictBatch(contexts.AsSpan(start, 4), batch);
                            for (var k = 0; k < 4; k++)
                            {
                                Check(batch[k], start + k);
                            }

                            break;
                        default:
                            var result = ensemble.Predict(contexts[index]);
                            if (result.Source != PredictionSource.Model)
                            {
                                errors.Enqueue($"ensemble fell back: {string.Join("; ", result.Members.Select(m => $"{m.Name} {m.Status} {m.Reason}"))}");
                            }

                            Check(result, index);
                            break;
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue($"thread {t}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        })
        { IsBackground = true, Name = $"predict-{t}" }).ToList();

        void Check(QualityPredictionResult result, int index)
        {
            Interlocked.Increment(ref predictions);
            var version = result.ModelVersion ?? "(none)";
            seen.AddOrUpdate(version, 1, (_, n) => n + 1);
            if (!expected.TryGetValue(version, out var scores))
            {
                errors.Enqueue($"a result names version {version}, which never went live");
            }
            else if (Math.Abs(result.Score - scores[index]) > 1e-6)
            {
                errors.Enqueue($"version {version} scored context {index} as {result.Score}, but that version scores it {scores[index]}");
            }
        }

        threads.ForEach(t => t.Start());
        var clock = Stopwatch.StartNew();
        int swaps = 0, refused = 0;
        var live = "0001";
        var random = new Random(7);
        try
        {
            while (clock.Elapsed < Settings.SwapLoadDuration || swaps < Settings.MinimumSwaps)
            {
                var bad = swaps % 4 == 3;
                var target = bad ? BadVersions[random.Next(BadVersions.Length)] : ValidVersions.Where(v => v != live).ElementAt(random.Next(2));
                registry.Promote(target);
                swaps++;
                if (bad)
                {
                    var error = await Assert.CatchAsync<ModelLoadException>(() => predictor.ReloadAsync());
                    Assert.That(error!.Message, Does.Contain(Path.Combine("versions", target)), "the refusal names the file");
                    refused++;
                    Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Degraded));
                }
                else
                {
                    await predictor.ReloadAsync();
                    live = target;
                    Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Loaded));
                }

                Assert.That(predictor.Status.Version, Is.EqualTo(live), "a refused version never goes live");
            }
        }
        finally
        {
            await stop.CancelAsync();
            threads.ForEach(t => t.Join());
        }

        var liveEngines = runtime.Live;
        ensemble.Dispose();
        predictor.Dispose();
        Settings.Report(
            nameof(HotSwapsUnderConcurrentLoad_NeverFailACallerAndNeverServeARefusedVersion) + "/" + format,
            $"threads={Settings.PredictionThreads} seconds={clock.Elapsed.TotalSeconds:0.0} swaps={swaps} refused={refused} predictions={Interlocked.Read(ref predictions)} " +
            $"versionsSeen={string.Join(",", seen.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}"))} enginesCreated={runtime.Created} enginesDisposed={runtime.Disposed} errors={errors.Count}");

        Assert.Multiple(() =>
        {
            Assert.That(errors.Take(10), Is.Empty, $"{errors.Count} errors reached callers or results were wrong");
            Assert.That(swaps, Is.GreaterThanOrEqualTo(Settings.MinimumSwaps));
            Assert.That(seen.Keys, Is.SubsetOf(ValidVersions), "only valid versions ever answered");
            Assert.That(seen.Keys.Count, Is.GreaterThanOrEqualTo(2), "the callers saw the swaps");
            Assert.That(Interlocked.Read(ref predictions), Is.GreaterThan(swaps));
            Assert.That(liveEngines, Is.EqualTo(1), "after the load stopped, only the live version holds an engine");
            Assert.That(runtime.Live, Is.Zero, "disposing the predictor released the last engine");
            Assert.That(runtime.Created, Is.GreaterThan(swaps - refused), "every valid swap created an engine");
        });
    }

    private static Registry BuildRegistry(string format)
    {
        var registry = new Registry(Fixtures.NewFolder("swap-" + format), "numeric");
        for (var i = 0; i < ValidVersions.Length; i++)
        {
            registry.AddVersion(Fixtures.Versions[i], ValidVersions[i]);
        }

        registry.AddVersion(Fixtures.Versions[1], "9001", manifest => Fixtures.EditManifest(manifest, m => m.FindArtifact(format)!.Sha256 = new string('0', 64)));
        registry.AddVersion(Fixtures.Versions[2], "9002", manifest => Fixtures.EditManifest(manifest, m =>
        {
            m.Features.Add(new FeatureSpec { Name = "x5", Kind = FeatureEncoding.Numeric });
            m.InputLength++;
        }));
        registry.AddVersion(Fixtures.Versions[0], "9003", manifest =>
        {
            var file = Registry.Artifact(manifest, format);
            var bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes[..(bytes.Length / 3)]);
            Fixtures.Rehash(manifest, format, file);
        });
        registry.AddVersion(Fixtures.Versions[1], "9004", manifest => File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"formatVersion\": 1", "\"formatVersion\": 99", StringComparison.Ordinal)));
        return registry;
    }

    /// <summary>Each valid version's score for each context, from a predictor of its own (same runtime and engine settings).</summary>
    private static async Task<Dictionary<string, double[]>> ExpectedScoresAsync(string format, PredictionContext[] contexts)
    {
        var expected = new Dictionary<string, double[]>(StringComparer.Ordinal);
        IModelRuntime[] runtimes = format == "onnx" ? [new OnnxModelRuntime()] : [new MLNetModelRuntime()];
        for (var i = 0; i < ValidVersions.Length; i++)
        {
            using var single = await CatalogModel.LoadAsync(new ModelOptions { Name = "numeric", Path = Fixtures.Versions[i].ManifestPath, Runtime = format, WatchForChanges = false }, runtimes);
            expected[ValidVersions[i]] = [.. contexts.Select(c => single.Predict(c).Score)];
        }

        Assert.That(expected["0002"].Zip(expected["0001"]).Average(p => p.First - p.Second), Is.GreaterThan(5), "the versions score differently, so a score tells which version produced it");
        return expected;
    }
}
