using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace QualityPrediction.Benchmarks;

/// <summary>One BenchmarkDotNet result: class, parameter, method, mean ns per operation, bytes per operation.</summary>
public sealed record Result(string Class, string Param, string Method, string Description, bool Baseline, double MeanNs, double ErrorNs, long? Bytes)
{
    public static Result From(BenchmarkReport report)
    {
        var c = report.BenchmarkCase;
        var param = c.Parameters.Count > 0 ? string.Join(",", c.Parameters.Items.Select(p => p.Value?.ToString())) : "";
        var stats = report.ResultStatistics;
        return new Result(
            c.Descriptor.Type.Name,
            param,
            c.Descriptor.WorkloadMethod.Name,
            c.Descriptor.WorkloadMethodDisplayInfo,
            c.Descriptor.Baseline,
            stats?.Mean ?? double.NaN,
            stats is null ? double.NaN : stats.StandardError * 2,
            report.GcStats.GetBytesAllocatedPerOperation(c));
    }

    public static string Markdown(IReadOnlyList<Result> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| class | param | benchmark | mean (ns/op) | ±2 SE | ratio to baseline | bytes/op |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var baseline = results.FirstOrDefault(b => b.Class == r.Class && b.Param == r.Param && b.Baseline);
            var ratio = baseline is null ? "-" : (r.MeanNs / baseline.MeanNs).ToString("F2", CultureInfo.InvariantCulture);
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Class} | {r.Param} | {r.Description}{(r.Baseline ? " (baseline)" : "")} | {r.MeanNs:N1} | {r.ErrorNs:N1} | {ratio} | {r.Bytes?.ToString(CultureInfo.InvariantCulture) ?? "?"} |");
        }

        return sb.ToString();
    }
}

/// <summary>Turns benchmark results into budget lines 1-5.</summary>
public static class Budgets
{
    public static IEnumerable<BudgetLine> FromBenchmarks(IReadOnlyList<Result> results)
    {
        Result? Find(string cls, string method, string param = "") =>
            results.FirstOrDefault(r => r.Class == cls && r.Method == method && r.Param == param);

        static string Ns(Result r) => string.Create(CultureInfo.InvariantCulture, $"{r.MeanNs:N0} ns, {r.Bytes} B");

        // The size of the result object alone: the allocation floor for every single-row path.
        var resultOnly = Find(nameof(HeuristicBenchmarks), nameof(HeuristicBenchmarks.ResultOnly));
        var resultBytes = resultOnly?.Bytes ?? 0;
        var ensembleResultBytes = Find(nameof(HeuristicBenchmarks), nameof(HeuristicBenchmarks.EnsembleResultOnly))?.Bytes ?? 0;

        // 1. single row vs the fastest raw way.
        if (Find(nameof(OnnxSingleRowBenchmarks), nameof(OnnxSingleRowBenchmarks.Ours)) is { } onnx)
        {
            var raws = new[] { Find(nameof(OnnxSingleRowBenchmarks), nameof(OnnxSingleRowBenchmarks.RawIoBinding)), Find(nameof(OnnxSingleRowBenchmarks), nameof(OnnxSingleRowBenchmarks.RawOrtValue)) }
                .Where(r => r is not null).Select(r => r!).ToArray();
            var fastest = raws.MinBy(r => r.MeanNs)!;
            var ratio = onnx.MeanNs / fastest.MeanNs;
            yield return new BudgetLine("1", "ONNX ModelPredictor.Predict vs fastest raw ORT (" + fastest.Description + ")", $"{Ns(onnx)} vs {Ns(fastest)}", ratio, "<= 1.15", ratio <= 1.15);
            yield return new BudgetLine("4", "ONNX single-row allocation vs result size", $"{onnx.Bytes} B (result {resultBytes} B)", null, "<= result", onnx.Bytes <= resultBytes);
        }

        if (Find(nameof(MLNetSingleRowBenchmarks), nameof(MLNetSingleRowBenchmarks.Ours)) is { } ml && Find(nameof(MLNetSingleRowBenchmarks), nameof(MLNetSingleRowBenchmarks.Raw)) is { } mlRaw)
        {
            var ratio = ml.MeanNs / mlRaw.MeanNs;
            yield return new BudgetLine("1", "ML.NET ModelPredictor.Predict vs PredictionEngine reused", $"{Ns(ml)} vs {Ns(mlRaw)}", ratio, "<= 1.15", ratio <= 1.15);
            yield return new BudgetLine("4", "ML.NET single-row allocation vs result size", $"{ml.Bytes} B (result {resultBytes} B)", null, "<= result", ml.Bytes <= resultBytes);
        }

        // 3. fitted heuristic.
        if (Find(nameof(HeuristicBenchmarks), nameof(HeuristicBenchmarks.Fitted)) is { } fitted)
        {
            yield return new BudgetLine("3", "fitted heuristic Predict", Ns(fitted), fitted.MeanNs / 250, "<= 250 ns", fitted.MeanNs <= 250);
            yield return new BudgetLine("3", "fitted heuristic allocation vs result size", $"{fitted.Bytes} B (result {resultBytes} B)", null, "<= result", fitted.Bytes <= resultBytes);
        }

        // 2. composed.
        foreach (var runtime in new[] { "onnx", "mlnet" })
        {
            var raw = Find(nameof(ComposedBenchmarks), nameof(ComposedBenchmarks.Raw), runtime);
            var composed = Find(nameof(ComposedBenchmarks), nameof(ComposedBenchmarks.Composed), runtime);
            if (raw is null || composed is null)
            {
                continue;
            }

            var ratio = composed.MeanNs / raw.MeanNs;
            yield return new BudgetLine("2", $"composed ({runtime} + rule fallback, timeout, Polly breaker, metrics, logging) Predict vs raw", $"{Ns(composed)} vs {Ns(raw)}", ratio, "<= 1.25", ratio <= 1.25);
            if (Find(nameof(ComposedBenchmarks), nameof(ComposedBenchmarks.ComposedWithoutBreaker), runtime) is { } noBreaker)
            {
                yield return new BudgetLine("2", $"composed {runtime}, circuit breaker off (CircuitBreaker.Enabled = false)", string.Create(CultureInfo.InvariantCulture, $"{Ns(noBreaker)}: the breaker costs {composed.MeanNs - noBreaker.MeanNs:N0} ns"), noBreaker.MeanNs / raw.MeanNs, "<= 1.25", noBreaker.MeanNs / raw.MeanNs <= 1.25);
            }

            if (Find(nameof(ComposedBenchmarks), nameof(ComposedBenchmarks.ComposedAsync), runtime) is { } async)
            {
                yield return new BudgetLine("2", $"composed {runtime} PredictAsync vs raw", $"{Ns(async)}", async.MeanNs / raw.MeanNs, "<= 1.25", async.MeanNs / raw.MeanNs <= 1.25);
            }

            if (Find(nameof(ComposedBenchmarks), nameof(ComposedBenchmarks.ComposedWithListener), runtime) is { } listener)
            {
                yield return new BudgetLine("2", $"composed {runtime} with a MeterListener on the meter", string.Create(CultureInfo.InvariantCulture, $"{Ns(listener)}: +{listener.MeanNs - composed.MeanNs:N0} ns over no listener"), listener.MeanNs / raw.MeanNs, "(cost stated)", null);
            }

            yield return new BudgetLine("4", $"composed {runtime} allocation vs result size", $"{composed.Bytes} B (result with its member list: {ensembleResultBytes} B)", null, "<= result", composed.Bytes <= ensembleResultBytes);
        }

        // 5. batch.
        foreach (var runtime in new[] { "onnx", "mlnet" })
        {
            var raw = Find(nameof(BatchBenchmarks), nameof(BatchBenchmarks.Raw), runtime);
            var ours = Find(nameof(BatchBenchmarks), nameof(BatchBenchmarks.Ours), runtime);
            if (raw is null || ours is null)
            {
                continue;
            }

            var ratio = ours.MeanNs / raw.MeanNs;
            yield return new BudgetLine("5", $"batch 1024 {runtime}: PredictBatch vs raw, per row", $"{Ns(ours)} vs {Ns(raw)} per row", ratio, "<= 1.10", ratio <= 1.10);
            // The engine's own per-row allocation (ML.NET's cursor allocates per row) is not ours to remove.
            var floor = resultBytes + (raw.Bytes ?? 0);
            yield return new BudgetLine("4", $"batch {runtime} allocation per row beyond the result and the raw engine's own", $"{ours.Bytes} B/row (result {resultBytes} B + raw engine {raw.Bytes} B)", null, "<= result + raw + 8 B", ours.Bytes <= floor + 8);
        }
    }
}
