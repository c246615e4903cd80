using System.Globalization;
using System.Text;
using QualityPrediction.Training.Evaluation;
using ScottPlot;

namespace QualityPrediction.Training.Reports;

/// <summary>Writes a markdown report with PNG plots (predicted vs actual, residuals, interval coverage and calibration by predicted-score bin).</summary>
public static class ReportWriter
{
    /// <summary>Writes the report of a training run.</summary>
    /// <param name="directory">The folder (created if needed).</param>
    /// <param name="result">The training result.</param>
    /// <returns>The path of <c>report.md</c>.</returns>
    public static string WriteTraining(string directory, TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        var oof = result.OutOfFold;
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        var manifest = result.Manifest;
        md.AppendLine(c, $"# Training report: {manifest.Name} {manifest.Version}");
        md.AppendLine();
        md.AppendLine(c, $"Target `{manifest.Target.Name}` in [{manifest.Target.Min:G6}, {manifest.Target.Max:G6}], {manifest.Data?.Rows} rows, data SHA-256 `{manifest.Data?.Sha256}`.");
        md.AppendLine(c, $"Chosen configuration: **{result.Chosen.Name}** ({result.Chosen.Kind}); trained in {result.Duration.TotalSeconds:F1} s.");
        md.AppendLine();
        md.AppendLine("## Data checks");
        md.AppendLine();
        md.AppendLine("```");
        md.Append(result.Checks.ToText());
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("## Nested cross-validation (same folds for every row)");
        md.AppendLine();
        md.Append(MetricsTable(result));
        md.AppendLine();
        md.AppendLine("## Configurations (inner cross-validated MAE pooled over the outer training folds; chosen = outer folds whose inner search picked it)");
        md.AppendLine();
        md.AppendLine("| configuration | inner CV MAE | chosen |");
        md.AppendLine("|---|---|---|");
        foreach (var s in result.Configurations)
        {
            md.AppendLine(c, $"| {s.Config.Name} | {s.Mae:F4} | {s.TimesChosen} |");
        }

        md.AppendLine();
        md.AppendLine("## Calibration");
        md.AppendLine();
        md.AppendLine(c, $"Nominal interval coverage {manifest.Calibration?.Coverage:P0}; measured on held-out folds (calibrated on the other folds): **{result.IntervalCoverage:P1}**. Confidence = P(|error| ≤ {manifest.Target.Tolerance:G4}); calibration error on held-out rows {result.CalibrationError:F4}.");
        md.AppendLine();
        md.AppendLine("| predicted up to | residual quantiles | within tolerance | rows |");
        md.AppendLine("|---|---|---|---|");
        foreach (var bin in manifest.Calibration?.Bins ?? [])
        {
            md.AppendLine(c, $"| {bin.UpTo:G5} | [{bin.Lower:+0.000;-0.000}, {bin.Upper:+0.000;-0.000}] | {bin.WithinTolerance:P1} | {bin.Rows} |");
        }

        md.AppendLine();
        AppendPlots(md, directory, oof.Actual, oof.Predicted, oof.Lower, oof.Upper);
        var path = Path.Combine(directory, "report.md");
        File.WriteAllText(path, md.ToString());
        return path;
    }

    /// <summary>Writes the report of an evaluation.</summary>
    /// <param name="directory">The folder (created if needed).</param>
    /// <param name="result">The evaluation result.</param>
    /// <returns>The path of <c>report.md</c>.</returns>
    public static string WriteEvaluation(string directory, EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Evaluation report: {result.Manifest.Name} {result.Manifest.Version}");
        md.AppendLine();
        md.AppendLine(c, $"{result.Metrics.Rows} rows. Interval coverage: {(result.IntervalCoverage is { } v ? v.ToString("P1", c) : "n/a")}; calibration error {(result.CalibrationError is { } e ? e.ToString("F4", c) : "n/a")}.");
        md.AppendLine();
        md.Append(Table(result.Tolerances, ("model", result.Metrics, result.Baseline), ("baseline (training mean)", result.Baseline, null)));
        md.AppendLine();
        var lower = new double[result.Predicted.Count];
        var upper = new double[result.Predicted.Count];
        for (var i = 0; i < lower.Length; i++)
        {
            var bin = result.Manifest.Calibration?.FindBin(result.Predicted[i]);
            lower[i] = result.Predicted[i] + (bin?.Lower ?? 0);
            upper[i] = result.Predicted[i] + (bin?.Upper ?? 0);
        }

        AppendPlots(md, directory, result.Actual, result.Predicted, lower, upper);
        var path = Path.Combine(directory, "report.md");
        File.WriteAllText(path, md.ToString());
        return path;
    }

    /// <summary>Formats the model, baseline and heuristic metrics side by side as a markdown table.</summary>
    /// <param name="result">The training result.</param>
    /// <returns>The table.</returns>
    public static string MetricsTable(TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<(string, RegressionMetrics, RegressionMetrics?)> { ("model (nested CV)", result.CrossValidation, result.Baseline), ("baseline (training-fold mean)", result.Baseline, null) };
        if (result.Heuristic is { } heuristic)
        {
            rows.Add(("fitted heuristic", heuristic, result.Baseline));
        }

        if (result.CrossValidationOutsideGroup is { } outside)
        {
            rows.Add(("model, rows outside the identical group", outside, result.BaselineOutsideGroup));
            rows.Add(("baseline, rows outside the identical group", result.BaselineOutsideGroup!, null));
        }

        var table = Table(result.Tolerances, [.. rows]);
        return result.HeuristicNote is { } note ? table + $"\nFitted heuristic: {note}\n" : table;
    }

    private static string Table(IReadOnlyList<double> tolerances, params (string Name, RegressionMetrics Metrics, RegressionMetrics? Baseline)[] rows)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("| | rows | MAE | RMSE | R² | skill |");
        foreach (var t in tolerances)
        {
            text.Append(c, $" within {RegressionMetrics.Key(t)} |");
        }

        text.AppendLine();
        text.Append("|---|---|---|---|---|---|");
        text.AppendLine(string.Concat(Enumerable.Repeat("---|", tolerances.Count)));
        foreach (var (name, m, baseline) in rows)
        {
            text.Append(c, $"| {name} | {m.Rows} | {m.Mae:F4} | {m.Rmse:F4} | {m.R2:F3} | {(baseline is null ? "—" : m.SkillAgainst(baseline).ToString("P1", c))} |");
            foreach (var t in tolerances)
            {
                text.Append(c, $" {m.AccuracyWithin[RegressionMetrics.Key(t)]:P1} |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static void AppendPlots(StringBuilder md, string directory, IReadOnlyList<double> actual, IReadOnlyList<double> predicted, IReadOnlyList<double> lower, IReadOnlyList<double> upper)
    {
        var a = actual.ToArray();
        var p = predicted.ToArray();

        var scatter = new Plot();
        var points = scatter.Add.Scatter(a, p);
        points.LineWidth = 0;
        points.MarkerSize = 3;
        var lo = Math.Min(a.Min(), p.Min());
        var hi = Math.Max(a.Max(), p.Max());
        scatter.Add.Line(lo, lo, hi, hi);
        scatter.Title("Predicted vs actual (out of fold)");
        scatter.XLabel("actual");
        scatter.YLabel("predicted");
        scatter.SavePng(Path.Combine(directory, "predicted-vs-actual.png"), 640, 480);

        var residualPlot = new Plot();
        var residuals = residualPlot.Add.Scatter(p, [.. a.Select((x, i) => x - p[i])]);
        residuals.LineWidth = 0;
        residuals.MarkerSize = 3;
        residualPlot.Add.HorizontalLine(0);
        residualPlot.Title("Residuals (actual − predicted) by predicted score");
        residualPlot.XLabel("predicted");
        residualPlot.YLabel("residual");
        residualPlot.SavePng(Path.Combine(directory, "residuals.png"), 640, 480);

        // Coverage by decile of predicted score.
        var order = Enumerable.Range(0, p.Length).OrderBy(i => p[i]).ToArray();
        var groups = Math.Clamp(p.Length / 50, 1, 10);
        var positions = new List<double>();
        var coverage = new List<double>();
        for (var g = 0; g < groups; g++)
        {
            var slice = order[(p.Length * g / groups)..(p.Length * (g + 1) / groups)];
            positions.Add(g + 1);
            coverage.Add(slice.Count(i => a[i] >= lower[i] - 1e-9 && a[i] <= upper[i] + 1e-9) / (double)slice.Length);
        }

        var coveragePlot = new Plot();
        coveragePlot.Add.Bars(positions.ToArray(), coverage.ToArray());
        coveragePlot.Add.HorizontalLine(0.9);
        coveragePlot.Title("Interval coverage by predicted-score group (line: nominal)");
        coveragePlot.XLabel("group of predicted score (low → high)");
        coveragePlot.YLabel("share inside interval");
        coveragePlot.SavePng(Path.Combine(directory, "coverage.png"), 640, 480);

        md.AppendLine("## Plots");
        md.AppendLine();
        md.AppendLine("![predicted vs actual](predicted-vs-actual.png)");
        md.AppendLine();
        md.AppendLine("![residuals](residuals.png)");
        md.AppendLine();
        md.AppendLine("![interval coverage](coverage.png)");
    }
}
