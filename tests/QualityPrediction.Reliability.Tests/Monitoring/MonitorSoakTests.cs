using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QualityPrediction.Models;
using QualityPrediction.Monitoring;
using QualityPrediction.Reliability.Tests.TestSupport;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.Monitoring;

/// <summary>
/// A composed host with the monitor on predicts without pause while a new model version is deployed and hot-swapped
/// again and again (each swap a version never seen before, as a registry grows), with a health probe after every swap:
/// the throughput at the end stays within 20 % of the throughput at the start and memory stays flat, because the monitor
/// retires the trackers of versions that no longer serve (it used to keep, and feed, every version's drift trackers).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MonitorSoakTests
{
    [Test]
    public async Task HotSwapsWithTheMonitorOn_KeepThroughputAndMemoryFlat()
    {
        var duration = Settings.Long ? TimeSpan.FromMinutes(5) : TimeSpan.FromSeconds(24);
        var swapEvery = Settings.Long ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(100);
        var window = Settings.Long ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(4);
        var registry = new Registry(Fixtures.NewFolder("soak"), "numeric");
        registry.AddVersion(Fixtures.Numeric, "0001", WithTrainingHistograms);
        registry.Promote("0001");

        var services = new ServiceCollection();
        services.AddQualityPrediction()
            .AddOnnxModel("numeric", registry.Reference, o => o.WatchForChanges = false)
            .AddQualityMonitor(o => o.MinDriftSamples = 10);
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var predictor = provider.GetRequiredService<IQualityPredictor>();
        var catalog = provider.GetRequiredService<IModelCatalog>();
        var monitor = provider.GetRequiredService<QualityMonitor>();
        var probe = provider.GetRequiredService<QualityMonitorHealthCheck>();
        var contexts = Enumerable.Range(0, 64).Select(i => FixtureData.GenerateNumeric(new Random(500 + i))).ToArray();

        // Warm up (JIT, pools) before the clock starts, so the first window is not the slowest for another reason.
        var warmUp = Stopwatch.StartNew();
        for (var i = 0; warmUp.Elapsed < TimeSpan.FromSeconds(3); i++)
        {
            predictor.Predict(contexts[i % contexts.Length]);
        }

        // Each predicting thread adds its predictions and its own CPU time to per-window totals.
        var threads = Math.Max(1, Math.Min(Environment.ProcessorCount, 4) - 1);
        var windows = (int)Math.Ceiling(duration / window) + 1;
        var counts = new long[windows];
        var cpu = new long[windows];
        var clock = Stopwatch.StartNew();
        var errors = 0L;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var i = t;
            var slot = 0;
            var cpuStart = ThreadCpu.Nanoseconds();
            long done = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (predictor.Predict(contexts[i++ % contexts.Length]).Source != PredictionSource.Model)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                }

                done++;
                var now = (int)(clock.Elapsed / window);
                if (now != slot)
                {
                    var cpuNow = ThreadCpu.Nanoseconds();
                    Interlocked.Add(ref counts[Math.Min(slot, windows - 1)], done);
                    Interlocked.Add(ref cpu[Math.Min(slot, windows - 1)], cpuNow - cpuStart);
                    (slot, done, cpuStart) = (now, 0, cpuNow);
                }
            }
        }) { IsBackground = true, Name = $"soak-{t}" }).ToList();
        workers.ForEach(w => w.Start());

        // Deploy and swap a new version every interval; probe health after each swap; measure memory after the first window.
        var swaps = 0;
        var unhealthy = 0;
        long heapAfterFirstWindow = 0, rssAfterFirstWindow = 0;
        var version = 1;
        while (clock.Elapsed < duration)
        {
            await Task.Delay(swapEvery);
            var next = (++version).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            registry.AddVersion(Fixtures.Numeric, next, WithTrainingHistograms);
            registry.Promote(next);
            await catalog.ReloadAsync("numeric");
            swaps++;
            if ((await probe.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Unhealthy)
            {
                unhealthy++;
            }

            DeleteVersion(registry, version - 2); // keep the disk use flat too
            if (heapAfterFirstWindow == 0 && clock.Elapsed > window)
            {
                (heapAfterFirstWindow, rssAfterFirstWindow) = Memory();
            }
        }

        await stop.CancelAsync();
        workers.ForEach(w => w.Join());
        var (heapAtEnd, rssAtEnd) = Memory();
        var snapshot = monitor.GetSnapshot();

        // Whole windows only: the first and the last complete one.
        var last = (int)(clock.Elapsed / window) - 1;
        double Rate(int w) => counts[w] / window.TotalSeconds;
        double PerCpuSecond(int w) => counts[w] / (cpu[w] / 1e9);
        var wallRatio = Rate(last) / Rate(0);
        var cpuRatio = PerCpuSecond(last) / PerCpuSecond(0);
        Settings.Report(
            nameof(HotSwapsWithTheMonitorOn_KeepThroughputAndMemoryFlat),
            $"seconds={clock.Elapsed.TotalSeconds:F0} threads={threads} swaps={swaps} firstWindow={Rate(0):F0}/s lastWindow={Rate(last):F0}/s wallRatio={wallRatio:F2} " +
            $"perCpuSecondFirst={PerCpuSecond(0):F0} perCpuSecondLast={PerCpuSecond(last):F0} cpuRatio={cpuRatio:F2} driftTrackers={snapshot.Drift.Select(d => d.ModelVersion).Distinct().Count()} " +
            $"windows={snapshot.Metrics.Count} heapMiB={heapAfterFirstWindow / 1048576.0:F1}->{heapAtEnd / 1048576.0:F1} rssMiB={rssAfterFirstWindow / 1048576.0:F0}->{rssAtEnd / 1048576.0:F0} errors={errors} unhealthy={unhealthy}");

        Assert.Multiple(() =>
        {
            Assert.That(swaps, Is.GreaterThanOrEqualTo((int)(duration / swapEvery) / 2), "the swaps really happened");
            Assert.That(catalog.GetStatus("numeric").Version, Is.EqualTo(version.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(errors, Is.Zero, "every prediction was answered by the model");
            Assert.That(unhealthy, Is.Zero);
            Assert.That(snapshot.Drift.Select(d => d.ModelVersion).Distinct().Count(), Is.EqualTo(1), "only the serving version is tracked");

            // Throughput per second of the predicting threads' own CPU time: the cost of a prediction, which is what the
            // monitor made grow, without the noise other processes add to wall time on a shared machine.
            Assert.That(cpuRatio, Is.GreaterThanOrEqualTo(0.8), "the last window's throughput (per CPU second) is within 20 % of the first's");
            Assert.That(heapAtEnd - heapAfterFirstWindow, Is.LessThan(4L * 1024 * 1024), "the managed heap after a full GC stays flat");
            Assert.That(rssAtEnd - rssAfterFirstWindow, Is.LessThan(96L * 1024 * 1024), "the resident set after a full GC stays flat");
        });
    }

    /// <summary>Gives every feature the ten-bin training histogram `quality train` writes (the fixture's values are uniform in [-2, 2]), so each version has drift trackers.</summary>
    private static void WithTrainingHistograms(string manifestPath) => Fixtures.EditManifest(manifestPath, m =>
    {
        foreach (var feature in m.Features)
        {
            feature.Statistics = new FeatureStatistics
            {
                BinEdges = [.. Enumerable.Range(1, 9).Select(i => -2 + (0.4 * i))],
                BinShares = [.. Enumerable.Repeat(0.1, 10)],
            };
        }
    });

    private static (long Heap, long Rss) Memory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }

    private static void DeleteVersion(Registry registry, int version)
    {
        var folder = Path.Combine(registry.Root, registry.Name, "versions", version.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
        if (version >= 1 && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
