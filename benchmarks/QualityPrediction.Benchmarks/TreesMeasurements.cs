using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using QualityPrediction.Models;

namespace QualityPrediction.Benchmarks;

/// <summary>Issue 17's budgets for the managed tree runtime: BenchmarkDotNet ratios, two-thread scaling, cold start.</summary>
public static class TreesMeasurements
{
    public static readonly Type[] BenchmarkClasses = [typeof(TreesSingleRowBenchmarks), typeof(TreesBatchBenchmarks), typeof(TreesComposedBenchmarks)];

    /// <summary>Budget lines T1 (single row), T2 (batch) and T5 (composed) from the BenchmarkDotNet results.</summary>
    public static IEnumerable<BudgetLine> FromBenchmarks(IReadOnlyList<Result> results)
    {
        Result? Find(string cls, string method, string param = "") =>
            results.FirstOrDefault(r => r.Class == cls && r.Method == method && r.Param == param);

        static string Ns(Result r) => string.Create(CultureInfo.InvariantCulture, $"{r.MeanNs:N0} ns, {r.Bytes} B");

        foreach (var trees in new[] { "100", "500", "2000" })
        {
            var cls = nameof(TreesSingleRowBenchmarks);
            var budget = trees == "100";
            if (Find(cls, nameof(TreesSingleRowBenchmarks.Trees_), trees) is not { } ours
                || Find(cls, nameof(TreesSingleRowBenchmarks.RawOnnx), trees) is not { } ort
                || Find(cls, nameof(TreesSingleRowBenchmarks.RawMLNet), trees) is not { } ml)
            {
                continue;
            }

            var vsOrt = ours.MeanNs / ort.MeanNs;
            var vsMl = ours.MeanNs / ml.MeanNs;
            yield return new BudgetLine("T1", $"{trees} trees: trees Score vs raw ORT IoBinding (same encoded row)", $"{Ns(ours)} vs {Ns(ort)}", vsOrt, budget ? "<= 0.33" : "(reported)", budget ? vsOrt <= 0.33 : null);
            yield return new BudgetLine("T1", $"{trees} trees: trees Score vs raw ML.NET PredictionEngine", $"{Ns(ours)} vs {Ns(ml)}", vsMl, budget ? "<= 0.50" : "(reported)", budget ? vsMl <= 0.5 : null);
            if (Find(cls, nameof(TreesSingleRowBenchmarks.Ours), trees) is { } predictor)
            {
                yield return new BudgetLine("T1", $"{trees} trees: ModelPredictor over trees (from a context: encode, score, result) vs raw ORT / PredictionEngine", $"{Ns(predictor)}", predictor.MeanNs / ort.MeanNs, $"(vs ML.NET {predictor.MeanNs / ml.MeanNs:F2})", null);
            }
        }

        var batchClass = nameof(TreesBatchBenchmarks);
        if (Find(batchClass, nameof(TreesBatchBenchmarks.Raw)) is { } rawBatch)
        {
            if (Find(batchClass, nameof(TreesBatchBenchmarks.Trees)) is { } batch)
            {
                var ratio = batch.MeanNs / rawBatch.MeanNs;
                yield return new BudgetLine("T2", "batch 1024: trees ScoreBatch vs raw ORT batch (both default threads), per row", $"{Ns(batch)} vs {Ns(rawBatch)} per row", ratio, "<= 0.50", ratio <= 0.5);
            }

            if (Find(batchClass, nameof(TreesBatchBenchmarks.TreesOneThread)) is { } one)
            {
                yield return new BudgetLine("T2", "batch 1024: trees ScoreBatch on 1 thread vs raw ORT batch, per row", $"{Ns(one)} per row", one.MeanNs / rawBatch.MeanNs, "(reported)", null);
            }

            if (Find(batchClass, nameof(TreesBatchBenchmarks.Ours)) is { } predictBatch)
            {
                yield return new BudgetLine("T2", "batch 1024: ModelPredictor over trees PredictBatch (contexts: encode, score, results) vs raw ORT batch, per row", $"{Ns(predictBatch)} per row", predictBatch.MeanNs / rawBatch.MeanNs, "(reported)", null);
            }
        }

        var composedClass = nameof(TreesComposedBenchmarks);
        if (Find(composedClass, nameof(TreesComposedBenchmarks.Trees)) is { } alone && Find(composedClass, nameof(TreesComposedBenchmarks.Composed)) is { } composed)
        {
            var ratio = composed.MeanNs / alone.MeanNs;
            yield return new BudgetLine("T5", "composed over trees (model + rule fallback, timeout, Polly breaker, metrics, logging) vs the trees runtime alone (encoded row)", $"{Ns(composed)} vs {Ns(alone)}", ratio, "<= 1.25", ratio <= 1.25);
            if (Find(composedClass, nameof(TreesComposedBenchmarks.Predictor)) is { } predictor)
            {
                yield return new BudgetLine("T5", "composed over trees vs ModelPredictor over trees (both from a context)", string.Create(CultureInfo.InvariantCulture, $"{Ns(composed)} vs {Ns(predictor)}: encode + result {predictor.MeanNs - alone.MeanNs:N0} ns, ensemble {composed.MeanNs - predictor.MeanNs:N0} ns"), composed.MeanNs / predictor.MeanNs, "(attribution)", null);
            }
        }
    }

    /// <summary>Budget T3: one shared instance, one thread vs two.</summary>
    public static List<BudgetLine> ScalingBudget(TextWriter log, bool quick)
    {
        var lines = new List<BudgetLine>();
        var data = Fixture.Load();
        var n = quick ? 200_000 : 1_000_000;
        var repeats = quick ? 2 : 3;

        void Report(string what, (double One, double Two) t)
        {
            var speedup = t.One / t.Two;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  scaling {what}: 1 thread {n / t.One:N0}/s, 2 threads {n / t.Two:N0}/s, x{speedup:F2}"));
            lines.Add(new BudgetLine("T3", "2 threads vs 1, " + what, string.Create(CultureInfo.InvariantCulture, $"{n / t.One:N0}/s -> {n / t.Two:N0}/s"), speedup, ">= 1.80", speedup >= 1.8));
        }

        using (var trees = TreesFixture.ScoringModel(100))
        {
            Report("trees Score (one shared model, encoded rows)", Measurements.Scaling(_ => i => trees.Score(data.Vectors[i % data.Vectors.Length], CancellationToken.None), n, repeats));
        }

        using (var predictor = Ours.ModelPredictor("trees"))
        {
            Report("ModelPredictor over trees (one shared instance, contexts)", Measurements.Scaling(_ => i => predictor.Predict(data.Contexts[i % data.Contexts.Length]), n / 2, repeats));
        }

        return lines;
    }

    /// <summary>Budget T4: new process to first score, the tree runtime against ONNX Runtime (median of fresh processes).</summary>
    public static List<BudgetLine> ColdStartBudget(TextWriter log, int runs)
    {
        string[] modes = ["raw-onnx", "trees-raw", "trees-bare", "trees-ours"];
        var build = Measurements.IsReadyToRun(typeof(ModelManifest).Assembly.Location) ? "ReadyToRun" : "JIT";
        var (wall, main) = Measurements.ColdStartRuns(log, modes, runs);
        var lines = new List<BudgetLine>();
        if (wall["raw-onnx"].Count == 0)
        {
            lines.Add(new BudgetLine("T4", "cold start", "raw ONNX Runtime child failed", null, "<= 0.50", false));
            return lines;
        }

        var raw = Measurements.Median(wall["raw-onnx"]);
        var rawMain = Measurements.Median(main["raw-onnx"]);
        foreach (var (mode, what, budget) in new[]
        {
            ("trees-raw", "trees runtime on the .onnx (as raw ORT: no manifest file)", true),
            ("trees-bare", "ModelPredictor over trees (manifest, hash, load, warm-up)", false),
            ("trees-ours", "composed host with AddTreeModel, to the first model answer", false),
        })
        {
            if (wall[mode].Count == 0)
            {
                lines.Add(new BudgetLine("T4", $"cold start {what}", "failed", null, budget ? "<= 0.50" : "(reported)", budget ? false : null));
                continue;
            }

            var ours = Measurements.Median(wall[mode]);
            lines.Add(new BudgetLine("T4", $"cold start ({build}), new process to first score: {what} vs raw ORT (median of {wall[mode].Count})",
                string.Create(CultureInfo.InvariantCulture, $"raw ORT {raw:F0} ms, trees {ours:F0} ms (in Main: {rawMain:F0} vs {Measurements.Median(main[mode]):F0} ms)"), ours / raw, budget ? "<= 0.50" : "(reported)", budget ? ours / raw <= 0.5 : null));
        }

        return lines;
    }

    /// <summary>The cold-start children of the tree runtime (see <see cref="ColdStartBudget"/>).</summary>
    public static int ColdStartChild(string mode, Stopwatch sinceMain)
    {
        float score;
        switch (mode)
        {
            case "trees-raw":
            {
                // What raw ONNX Runtime does: read the .onnx, load it, score one row. The manifest the runtime needs
                // (input name and width) is built in code, as a raw caller knows its model's shape.
                var manifest = new ModelManifest
                {
                    Name = Fixture.ModelName,
                    InputName = "Features",
                    Features = [.. Enumerable.Range(0, 11).Select(i => new FeatureSpec { Name = "f" + i.ToString(CultureInfo.InvariantCulture), Kind = FeatureEncoding.Numeric })],
                };
                var artifact = new ArtifactInfo { File = Fixture.ModelName + ".onnx", Format = "onnx" };
                using var model = new QualityPrediction.Trees.TreeModelRuntime().Load(manifest, artifact, File.ReadAllBytes(Fixture.OnnxPath), new ModelRuntimeOptions());
                score = model.Score(new float[model.InputLength], CancellationToken.None);
                break;
            }

            case "trees-bare":
            {
                using var predictor = Ours.ModelPredictor("trees");
                score = (float)predictor.Predict(new PredictionContext().Set("alcohol", 10.5)).Score;
                break;
            }

            case "trees-ours":
            {
                using var host = Ours.ComposedHost("trees");
                var predictor = host.Services.GetRequiredService<IQualityPredictor>();
                QualityPredictionResult result;
                while ((result = predictor.PredictAsync(new PredictionContext().Set("alcohol", 10.5)).AsTask().GetAwaiter().GetResult()).Source != PredictionSource.Model)
                {
                    Thread.Sleep(1);
                }

                score = (float)result.Score;
                sinceMain.Stop();
                host.StopAsync().GetAwaiter().GetResult();
                break;
            }

            default:
                Console.Error.WriteLine($"Unknown cold-start mode '{mode}' (trees-raw, trees-bare, trees-ours).");
                return 2;
        }

        sinceMain.Stop();
        var sinceProcess = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"COLD {mode} main-ms={sinceMain.Elapsed.TotalMilliseconds:F1} process-ms={sinceProcess:F1} score={score:F3}"));
        return 0;
    }
}
