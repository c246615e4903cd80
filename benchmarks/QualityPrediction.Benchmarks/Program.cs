using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using QualityPrediction.Benchmarks;

// Usage:
//   dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --all [--short] [--only bdn,scaling,cold,rss,feedback,training] [--training-1m]
//   ... -- --only trees [--short]   (issue 17: the managed tree runtime vs raw ONNX Runtime and ML.NET, all its budgets in one run)
//   ... -- --cold-start raw-onnx|bare-onnx|ours-onnx|raw-mlnet|bare-mlnet|ours-mlnet   (one cold-start child; the driver starts these)
//   ... -- --only bdn --classes Batch,Heuristic   (a subset of the BenchmarkDotNet classes)
//   ... -- --loop MODE SECONDS   (a hot loop to attach dotnet-trace to; see ProfileLoop.cs)
//   ... -- --train-child FILE.csv   (one training child for budget 10; the driver starts these)
var sinceMain = Stopwatch.StartNew();
var coldIndex = Array.IndexOf(args, "--cold-start");
if (coldIndex >= 0)
{
    return Measurements.ColdStartChild(coldIndex + 1 < args.Length ? args[coldIndex + 1] : "", sinceMain);
}

var loopIndex = Array.IndexOf(args, "--loop");
if (loopIndex >= 0 && loopIndex + 2 < args.Length)
{
    return ProfileLoop.Run(args[loopIndex + 1], double.Parse(args[loopIndex + 2], CultureInfo.InvariantCulture));
}

var trainIndex = Array.IndexOf(args, "--train-child");
if (trainIndex >= 0 && trainIndex + 1 < args.Length)
{
    return TrainingGrowth.Child(args[trainIndex + 1]);
}

if (!args.Contains("--all") && !args.Contains("--short") && !args.Contains("--only"))
{
    Console.WriteLine("Usage: -- --all | --short [--only bdn,scaling,cold,rss,feedback,training,trees] | --cold-start MODE");
    return 2;
}

#if DEBUG
Console.Error.WriteLine("Run the benchmarks in Release: dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --all");
return 2;
#else
var quick = args.Contains("--short");
var onlyIndex = Array.IndexOf(args, "--only");
var sections = onlyIndex >= 0 && onlyIndex + 1 < args.Length
    ? args[onlyIndex + 1].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase)
    : new HashSet<string>(["bdn", "scaling", "cold", "rss", "feedback", "training"], StringComparer.OrdinalIgnoreCase);
var log = Console.Out;
var total = Stopwatch.StartNew();
Environment.SetEnvironmentVariable("QP_BENCH_FIXTURE", Fixture.Folder);
var trainTime = Fixture.EnsureModel(log);
var lines = new List<BudgetLine>();
var tables = new StringBuilder();

if (sections.Contains("bdn"))
{
    var config = BenchmarkConfig(quick);
    Type[] classes = [typeof(OnnxSingleRowBenchmarks), typeof(MLNetSingleRowBenchmarks), typeof(HeuristicBenchmarks), typeof(ComposedBenchmarks), typeof(BatchBenchmarks)];
    var classesIndex = Array.IndexOf(args, "--classes");
    if (classesIndex >= 0 && classesIndex + 1 < args.Length)
    {
        var wanted = args[classesIndex + 1].Split(',', StringSplitOptions.RemoveEmptyEntries);
        classes = [.. classes.Where(c => wanted.Any(w => c.Name.Contains(w, StringComparison.OrdinalIgnoreCase)))];
    }

    var summaries = BenchmarkRunner.Run(classes, config);
    var results = summaries.SelectMany(s => s.Reports).Select(Result.From).ToList();
    tables.AppendLine(Result.Markdown(results));
    lines.AddRange(Budgets.FromBenchmarks(results));
}

if (sections.Contains("trees"))
{
    // Issue 17: the managed tree runtime against the raw engines, in one run (BenchmarkDotNet, scaling, cold start).
    log.WriteLine("Trees: the managed tree runtime (issue 17)");
    _ = TreesFixture.ManifestPath(500);
    _ = TreesFixture.ManifestPath(2000);
    var treeSummaries = BenchmarkRunner.Run(TreesMeasurements.BenchmarkClasses, BenchmarkConfig(quick));
    var treeResults = treeSummaries.SelectMany(s => s.Reports).Select(Result.From).ToList();
    tables.AppendLine(Result.Markdown(treeResults));
    lines.AddRange(TreesMeasurements.FromBenchmarks(treeResults));
    lines.AddRange(TreesMeasurements.ScalingBudget(log, quick));
    lines.AddRange(TreesMeasurements.ColdStartBudget(log, quick ? 3 : 7));
}

if (sections.Contains("scaling"))
{
    log.WriteLine("Budget 6: two-thread scaling");
    lines.AddRange(Measurements.ScalingBudget(log, quick));
}

if (sections.Contains("cold"))
{
    log.WriteLine("Budget 7: cold start in fresh processes");
    lines.AddRange(Measurements.ColdStartBudget(log, quick ? 3 : 7));
}

if (sections.Contains("rss"))
{
    log.WriteLine("Budget 8: resident memory");
    lines.AddRange(Measurements.MemoryBudget(log, quick ? 200_000 : 1_000_000));
}

if (sections.Contains("feedback"))
{
    log.WriteLine("Budget 9: feedback store throughput");
    lines.AddRange(Measurements.FeedbackBudget(log, quick ? 50_000 : 200_000));
}

if (sections.Contains("training"))
{
    log.WriteLine("Budget 10: training time and peak memory");
    // 1M rows take ~15 min on 2 busy cores: only with --training-1m, so that --all stays under 15 minutes.
    lines.AddRange(TrainingGrowth.Run(log, quick ? [10_000] : args.Contains("--training-1m") ? [10_000, 100_000, 1_000_000] : [10_000, 100_000]));
}

var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC ({(quick ? "--short" : "--all")}), {Environment.ProcessorCount} cores, load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
report.AppendLine(CultureInfo.InvariantCulture, $"Fixture: {Fixture.Folder} (FastTree 100 trees, white wine){(trainTime > TimeSpan.Zero ? $", trained in {trainTime.TotalSeconds:F1} s" : ", cached")}");
report.AppendLine();
report.AppendLine("| budget | what | measured | ratio | limit | result |");
report.AppendLine("|---|---|---|---|---|---|");
foreach (var line in lines)
{
    var ratio = line.Ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "-";
    var pass = line.Pass switch { true => "PASS", false => "FAIL", null => "info" };
    report.AppendLine(CultureInfo.InvariantCulture, $"| {line.Budget} | {line.What} | {line.Measured} | {ratio} | {line.Limit} | {pass} |");
}

report.AppendLine();
report.AppendLine(tables.ToString());
report.AppendLine(CultureInfo.InvariantCulture, $"Total time: {total.Elapsed.TotalMinutes:F1} min");
var text = report.ToString();
log.WriteLine();
log.WriteLine(text);
var outDir = Path.Combine(Fixture.RepositoryRoot, "benchmarks", "QualityPrediction.Benchmarks", "BenchmarkDotNet.Artifacts");
Directory.CreateDirectory(outDir);
// A run of the tree-runtime section alone writes its own file (it does not replace the table of an --all run).
var onlyTrees = sections.SetEquals(["trees"]);
var outFile = Path.Combine(outDir, $"budgets-{(onlyTrees ? "trees" + (quick ? "-short" : "") : quick ? "short" : "all")}.md");
File.WriteAllText(outFile, text);
log.WriteLine($"Written to {outFile}");
return 0;

static ManualConfig BenchmarkConfig(bool quick)
{
    var job = (quick
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(6).WithIterationTime(TimeInterval.FromMilliseconds(150))
            : Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(15).WithIterationTime(TimeInterval.FromMilliseconds(300)))
        .WithStrategy(BenchmarkDotNet.Engines.RunStrategy.Throughput)
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithId(quick ? "short" : "full");
    return ManualConfig.CreateMinimumViable()
        .AddJob(job)
        .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
        .WithArtifactsPath(Path.Combine(Fixture.RepositoryRoot, "benchmarks", "QualityPrediction.Benchmarks", "BenchmarkDotNet.Artifacts"))
        .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
}
#endif
