using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using QualityPrediction.Feedback;
using QualityPrediction.PostgreSql;

namespace QualityPrediction.Benchmarks;

/// <summary>One line of the budget table.</summary>
public sealed record BudgetLine(string Budget, string What, string Measured, double? Ratio, string Limit, bool? Pass);

/// <summary>Measurements BenchmarkDotNet does not fit: thread scaling, process cold start, resident memory, feedback throughput.</summary>
public static class Measurements
{
    // ---------- 6. two-thread scaling ----------

    /// <summary>N predictions on one thread vs the same N split over two threads; best of <paramref name="repeats"/>.</summary>
    public static (double OneThreadSeconds, double TwoThreadSeconds) Scaling(Func<int, Action<int>> perThreadWorker, int n, int repeats)
    {
        var one = double.MaxValue;
        var two = double.MaxValue;
        for (var r = 0; r < repeats; r++)
        {
            one = Math.Min(one, Run(perThreadWorker, n, 1));
            two = Math.Min(two, Run(perThreadWorker, n, 2));
        }

        return (one, two);
    }

    private static double Run(Func<int, Action<int>> perThreadWorker, int n, int threads)
    {
        var workers = Enumerable.Range(0, threads).Select(perThreadWorker).ToArray();
        using var ready = new Barrier(threads + 1);
        var share = n / threads;
        var list = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var worker = workers[t];
            var offset = t * share;
            list[t] = new Thread(() =>
            {
                ready.SignalAndWait();
                for (var i = 0; i < share; i++)
                {
                    worker(offset + i);
                }
            });
            list[t].Start();
        }

        ready.SignalAndWait();
        var clock = Stopwatch.StartNew();
        foreach (var thread in list)
        {
            thread.Join();
        }

        return clock.Elapsed.TotalSeconds;
    }

    public static List<BudgetLine> ScalingBudget(TextWriter log, bool quick)
    {
        var lines = new List<BudgetLine>();
        var data = Fixture.Load();
        var n = quick ? 60_000 : 300_000;
        var repeats = quick ? 2 : 3;

        void Report(string what, (double One, double Two) t, bool budget)
        {
            var speedup = t.One / t.Two;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  scaling {what}: 1 thread {n / t.One:N0}/s, 2 threads {n / t.Two:N0}/s, x{speedup:F2}"));
            lines.Add(new BudgetLine("6", "2 threads vs 1, " + what, string.Create(CultureInfo.InvariantCulture, $"{n / t.One:N0}/s -> {n / t.Two:N0}/s"), speedup, budget ? ">= 1.70" : "(reference)", budget ? speedup >= 1.7 : null));
        }

        // Raw ONNX: one session and binding per thread (IoBinding is not thread-safe).
        var raws = new[]
        {
            new RawOnnx(Fixture.OnnxPath, data.Manifest.InputName, data.OnnxOutputName, data.Width, 1, 1),
            new RawOnnx(Fixture.OnnxPath, data.Manifest.InputName, data.OnnxOutputName, data.Width, 1, 1),
        };
        Report("raw ORT IoBinding (session per thread)", Scaling(t => i => raws[t].ScoreIoBinding(data.Vectors[i % data.Vectors.Length]), n, repeats), false);
        foreach (var raw in raws)
        {
            raw.Dispose();
        }

        foreach (var runtime in new[] { "onnx", "mlnet" })
        {
            using var ours = Ours.ModelPredictor(runtime);
            Report("ours ModelPredictor " + runtime + " (one shared instance)", Scaling(_ => i => ours.Predict(data.Contexts[i % data.Contexts.Length]), n, repeats), true);
        }

        foreach (var breaker in new[] { true, false })
        {
            using var host = Ours.ComposedHost("onnx", circuitBreaker: breaker);
            var composed = Ours.WarmComposed(host, data.Contexts[0]);
            Report("ours composed onnx (one shared instance" + (breaker ? ")" : ", circuit breaker off)"), Scaling(_ => i => composed.Predict(data.Contexts[i % data.Contexts.Length]), n, repeats), true);
            host.StopAsync().GetAwaiter().GetResult();
        }

        return lines;
    }

    // ---------- 7. cold start ----------

    /// <summary>The child side: load the engine or build the host, score once, print the time since Main started.</summary>
    public static int ColdStartChild(string mode, Stopwatch sinceMain)
    {
        if (mode.StartsWith("trees-", StringComparison.Ordinal))
        {
            return TreesMeasurements.ColdStartChild(mode, sinceMain);
        }

        var data = new float[11];
        float score;
        var source = "";
        switch (mode)
        {
            case "raw-onnx":
            {
                using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
                using var session = new InferenceSession(Fixture.OnnxPath, options);
                var input = session.InputMetadata.Keys.Single();
                var width = (int)session.InputMetadata[input].Dimensions[1];
                data = new float[width];
                using var value = OrtValue.CreateTensorValueFromMemory(data, [1, width]);
                using var results = session.Run(new RunOptions(), [input], [value], [session.OutputMetadata.Keys.First(k => k.StartsWith("Score", StringComparison.Ordinal))]);
                score = results[0].GetTensorDataAsSpan<float>()[0];
                break;
            }

            case "raw-mlnet":
            {
                var ml = new MLContext(seed: 0);
                var model = ml.Model.Load(Fixture.ZipPath, out var schema);
                var width = ((VectorDataViewType)schema["Features"].Type).Size;
                var schemaDefinition = SchemaDefinition.Create(typeof(RawMLNet.InputRow), SchemaDefinition.Direction.Read);
                schemaDefinition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
                using var engine = ml.Model.CreatePredictionEngine<RawMLNet.InputRow, RawMLNet.OutputRow>(model, ignoreMissingColumns: true, schemaDefinition);
                score = engine.Predict(new RawMLNet.InputRow { Features = new float[width] }).Score;
                break;
            }

            case "manifest":
            {
                // Attribution: what ModelPredictor does before the engine, in a fresh process: read and check the
                // manifest (System.Text.Json's first use) and build the encoder.
                var t0 = sinceMain.Elapsed.TotalMilliseconds;
                var manifest = QualityPrediction.Models.ModelManifest.Load(Fixture.ManifestPath);
                var t1 = sinceMain.Elapsed.TotalMilliseconds;
                score = QualityPrediction.Models.FeatureEncoder.Create(manifest).Length;
                var t2 = sinceMain.Elapsed.TotalMilliseconds;
                source = string.Create(CultureInfo.InvariantCulture, $" manifest-ms={t1 - t0:F0} encoder-ms={t2 - t1:F0}");
                break;
            }

            case "bare-onnx":
            case "bare-mlnet":
            {
                // Our ModelPredictor alone, without a host: manifest, verified bytes, runtime load, warm-up, first score.
                using var predictor = Ours.ModelPredictor(mode[5..]);
                score = (float)predictor.Predict(new PredictionContext().Set("alcohol", 10.5)).Score;
                break;
            }

            case "ours-onnx":
            case "ours-mlnet":
            {
                var phases = new List<string>();
                void Mark(string phase) => phases.Add(string.Create(CultureInfo.InvariantCulture, $"{phase}@{sinceMain.Elapsed.TotalMilliseconds:F0}"));
                using var host = Ours.ComposedHost(mode[5..], mark: Mark);
                var predictor = host.Services.GetRequiredService<IQualityPredictor>();

                // The host's start waited for the models' first load (ModelLoadWaitAtStart); the catalog says so.
                if (host.Services.GetRequiredService<QualityPrediction.Models.IModelCatalog>().GetStatus(Fixture.ModelName).IsLive)
                {
                    Mark("model-loaded");
                }

                var context = new PredictionContext().Set("alcohol", 10.5);
                QualityPredictionResult result;
                var fallbacks = 0;
                while ((result = predictor.PredictAsync(context).AsTask().GetAwaiter().GetResult()).Source != PredictionSource.Model)
                {
                    if (fallbacks++ == 0)
                    {
                        Mark("first-answer(" + result.Source + ")");
                    }

                    Thread.Sleep(1);
                }

                Mark("model-answer");
                score = (float)result.Score;
                source = " fallbacks-before-model=" + fallbacks.ToString(CultureInfo.InvariantCulture) + " phases=" + string.Join(",", phases).Replace(' ', '-');
                sinceMain.Stop();
                host.StopAsync().GetAwaiter().GetResult();
                break;
            }

            default:
                Console.Error.WriteLine($"Unknown cold-start mode '{mode}' (raw-onnx, bare-onnx, ours-onnx, raw-mlnet, bare-mlnet, ours-mlnet).");
                return 2;
        }

        sinceMain.Stop();
        var sinceProcess = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"COLD {mode} main-ms={sinceMain.Elapsed.TotalMilliseconds:F1} process-ms={sinceProcess:F1} score={score:F3}{source}"));
        return 0;
    }

    /// <summary>The driver: runs every mode in fresh processes, interleaved, and compares medians.</summary>
    public static List<BudgetLine> ColdStartBudget(TextWriter log, int runs)
    {
        var modes = new[] { "raw-onnx", "manifest", "bare-onnx", "ours-onnx", "raw-mlnet", "bare-mlnet", "ours-mlnet" };
        var build = IsReadyToRun(typeof(QualityPrediction.Models.ModelManifest).Assembly.Location) ? "ReadyToRun" : "JIT";
        var (wall, main) = ColdStartRuns(log, modes, runs);

        var lines = new List<BudgetLine>();
        foreach (var engine in new[] { "onnx", "mlnet" })
        {
            if (wall["raw-" + engine].Count == 0 || wall["ours-" + engine].Count == 0)
            {
                lines.Add(new BudgetLine("7", "cold start " + engine, "failed", null, "<= 1.20", false));
                continue;
            }

            var raw = Median(wall["raw-" + engine]);
            var ours = Median(wall["ours-" + engine]);
            var rawMain = Median(main["raw-" + engine]);
            var oursMain = Median(main["ours-" + engine]);
            lines.Add(new BudgetLine("7", $"cold start {engine} ({build}), new process to first score (median of {wall["raw-" + engine].Count})",
                string.Create(CultureInfo.InvariantCulture, $"raw {raw:F0} ms, ours {ours:F0} ms (in Main: {rawMain:F0} vs {oursMain:F0} ms)"), ours / raw, "<= 1.20", ours / raw <= 1.2));
            if (wall["bare-" + engine].Count > 0)
            {
                var bare = Median(wall["bare-" + engine]);
                lines.Add(new BudgetLine("7", $"cold start {engine} ({build}), ModelPredictor alone (no host), new process to first score",
                    string.Create(CultureInfo.InvariantCulture, $"raw {raw:F0} ms, ModelPredictor {bare:F0} ms (in Main: {rawMain:F0} vs {Median(main["bare-" + engine]):F0} ms)"), bare / raw, "(attribution)", null));
            }

            if (engine == "onnx" && wall["manifest"].Count > 0)
            {
                lines.Add(new BudgetLine("7", $"cold start ({build}): reading the manifest and building the encoder alone, new process",
                    string.Create(CultureInfo.InvariantCulture, $"{Median(wall["manifest"]):F0} ms (in Main: {Median(main["manifest"]):F0} ms, mostly System.Text.Json's first use)"), null, "(attribution)", null));
            }
        }

        return lines;
    }

    /// <summary>Runs every mode in a fresh process <paramref name="runs"/> + 1 times, interleaved (the first round warms the disk cache); returns wall and in-Main milliseconds per mode.</summary>
    public static (Dictionary<string, List<double>> Wall, Dictionary<string, List<double>> Main) ColdStartRuns(TextWriter log, string[] modes, int runs)
    {
        var wall = modes.ToDictionary(m => m, _ => new List<double>());
        var main = modes.ToDictionary(m => m, _ => new List<double>());
        var exe = Environment.ProcessPath!;
        var dll = typeof(Measurements).Assembly.Location;
        var useDotnet = Path.GetFileNameWithoutExtension(exe) == "dotnet";
        for (var r = 0; r < runs + 1; r++)
        {
            foreach (var mode in modes)
            {
                var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                if (useDotnet)
                {
                    start.ArgumentList.Add(dll);
                }

                start.ArgumentList.Add("--cold-start");
                start.ArgumentList.Add(mode);
                start.Environment["QP_BENCH_FIXTURE"] = Fixture.Folder;
                var clock = Stopwatch.StartNew();
                using var process = Process.Start(start)!;
                var output = process.StandardOutput.ReadToEnd();
                var error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                var elapsed = clock.Elapsed.TotalMilliseconds;
                var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("COLD ", StringComparison.Ordinal));
                if (process.ExitCode != 0 || line is null)
                {
                    log.WriteLine($"  cold start {mode} failed (exit {process.ExitCode}): {error.Trim()} {output.Trim()}");
                    continue;
                }

                if (r == 0)
                {
                    continue;
                }

                wall[mode].Add(elapsed);
                var mainMs = double.Parse(line.Split(' ').First(p => p.StartsWith("main-ms=", StringComparison.Ordinal))[8..], CultureInfo.InvariantCulture);
                main[mode].Add(mainMs);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cold start run {r} {mode}: process {elapsed:F0} ms, in Main {mainMs:F0} ms ({line.Trim()})"));
            }
        }

        return (wall, main);
    }

    /// <summary>Whether an assembly carries ReadyToRun code (published with PublishReadyToRun), from its CLI header.</summary>
    public static bool IsReadyToRun(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
        return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    // ---------- 8. resident memory ----------

    public static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return Environment.WorkingSet;
    }

    public static List<BudgetLine> MemoryBudget(TextWriter log, int predictions)
    {
        var lines = new List<BudgetLine>();
        var data = Fixture.Load();
        foreach (var runtime in new[] { "onnx", "mlnet" })
        {
            using var host = Ours.ComposedHost(runtime);
            var predictor = Ours.WarmComposed(host, data.Contexts[0]);
            for (var i = 0; i < 20_000; i++)
            {
                predictor.Predict(data.Contexts[i % data.Contexts.Length]);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var start = ResidentBytes();
            var peak = start;
            var samples = new List<string>();
            var step = predictions / 5;
            for (var i = 0; i < predictions; i++)
            {
                predictor.Predict(data.Contexts[i % data.Contexts.Length]);
                if ((i + 1) % step == 0)
                {
                    var rss = ResidentBytes();
                    peak = Math.Max(peak, rss);
                    samples.Add((rss / 1048576.0).ToString("F1", CultureInfo.InvariantCulture));
                }
            }

            var end = ResidentBytes();
            var growth = (double)end / start;
            log.WriteLine($"  RSS {runtime}: start {start / 1048576.0:F1} MiB, samples [{string.Join(", ", samples)}] MiB, end {end / 1048576.0:F1} MiB");
            lines.Add(new BudgetLine("8", $"RSS over {predictions:N0} composed {runtime} predictions",
                string.Create(CultureInfo.InvariantCulture, $"start {start / 1048576.0:F1} MiB, end {end / 1048576.0:F1} MiB, peak {peak / 1048576.0:F1} MiB"), growth, "end/start <= 1.10", growth <= 1.10));
            host.StopAsync().GetAwaiter().GetResult();
        }

        return lines;
    }

    // ---------- 9. feedback store ----------

    public static List<BudgetLine> FeedbackBudget(TextWriter log, int predictions)
    {
        var lines = new List<BudgetLine>();
        var data = Fixture.Load();

        // The raw reference latency for the ratio, measured the same way (a timed loop).
        double rawNs;
        using (var raw = new RawOnnx(Fixture.OnnxPath, data.Manifest.InputName, data.OnnxOutputName, data.Width, 1, 1))
        {
            for (var i = 0; i < 20_000; i++)
            {
                raw.ScoreIoBinding(data.Vectors[i % data.Vectors.Length]);
            }

            var clock = Stopwatch.StartNew();
            for (var i = 0; i < predictions; i++)
            {
                raw.ScoreIoBinding(data.Vectors[i % data.Vectors.Length]);
            }

            rawNs = clock.Elapsed.TotalNanoseconds / predictions;
        }

        var stores = new List<(string Name, Action<QualityPrediction.DependencyInjection.IQualityPredictionBuilder> Add, Func<Task>? Cleanup)>();
        var folder = Path.Combine(Path.GetTempPath(), "qp-bench-feedback", Guid.NewGuid().ToString("N"));
        stores.Add(("embedded JSON lines", b => b.AddFeedbackStore(folder), () =>
        {
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        }));
        if (Environment.GetEnvironmentVariable("QUALITY_PG") is { Length: > 0 } pg)
        {
            var schema = "bench_" + Guid.NewGuid().ToString("N")[..8];
            stores.Add(("PostgreSQL loopback", b => b.AddPostgreSqlFeedbackStore(o =>
            {
                o.ConnectionString = pg;
                o.Schema = schema;
            }), null));
            using var migrate = new PostgreSqlFeedbackStore(new PostgreSqlFeedbackStoreOptions { ConnectionString = pg, Schema = schema });
            migrate.MigrateAsync().GetAwaiter().GetResult();
        }
        else
        {
            log.WriteLine("  QUALITY_PG is not set: the PostgreSQL store is not measured (source .ci/postgres.sh to include it).");
        }

        foreach (var (name, add, cleanup) in stores)
        {
            using var host = Ours.ComposedHost("onnx", add);
            var predictor = Ours.WarmComposed(host, data.Contexts[0]);
            var writer = host.Services.GetRequiredService<FeedbackWriter>();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < predictions; i++)
            {
                predictor.Predict(data.Contexts[i % data.Contexts.Length]);
            }

            var predictSeconds = clock.Elapsed.TotalSeconds;
            writer.FlushAsync().GetAwaiter().GetResult();
            var totalSeconds = clock.Elapsed.TotalSeconds;
            var status = writer.GetStatus();
            var latencyNs = predictSeconds * 1e9 / predictions;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  feedback {name}: {predictions / predictSeconds:N0} predictions/s ({latencyNs:F0} ns each, raw {rawNs:F0} ns), written {status.Written:N0} in {totalSeconds:F1} s, dropped {status.Dropped:N0}, spilled {status.Spilled:N0}"));
            lines.Add(new BudgetLine("9", $"predict + log to {name} ({predictions:N0} rows): latency vs raw ORT",
                string.Create(CultureInfo.InvariantCulture, $"{predictions / predictSeconds:N0} pred/s; {status.Written / totalSeconds:N0} rows/s written; dropped {status.Dropped:N0}, spilled {status.Spilled:N0}"),
                latencyNs / rawNs, "<= 1.25 (budget 2)", latencyNs / rawNs <= 1.25));
            host.StopAsync().GetAwaiter().GetResult();
            cleanup?.Invoke().GetAwaiter().GetResult();
        }

        return lines;
    }
}
