using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Evaluation;
using QualityPrediction.Training.Registry;
using QualityPrediction.Training.Reports;

namespace QualityPrediction.Cli.Commands;

/// <summary><c>quality evaluate</c>: score new rows with a trained model and compare with the constant baseline.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The NAME.model.json file, or a registry reference DIR/NAME@champion.", Required = true };
        var data = new Option<string[]>("--data") { Description = "Data file(s) to evaluate on.", Required = true, AllowMultipleArgumentsPerToken = true };
        var target = new Option<string>("--target") { Description = "The target column.", Required = true };
        var tolerance = new Option<string[]>("--tolerance") { Description = "Tolerances T[,T…] (default: the model's tolerance)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var report = new Option<string?>("--report") { Description = "Folder for a markdown report with PNG plots." };
        var categorical = new Option<string[]>("--categorical") { Description = "Columns to treat as categorical (C,…)." };
        var onBadRow = new Option<string>("--on-bad-row") { Description = "fail (default) or skip.", DefaultValueFactory = _ => "fail" };
        onBadRow.AcceptOnlyFromAmong("fail", "skip");

        var command = new Command("evaluate", "Evaluate a trained model on rows, beside the constant training-mean baseline.")
        {
            model, data, target, tolerance, json, report, categorical, onBadRow,
        };

        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async token =>
        {
            var stdout = CliHelpers.Out(parse);
            var asJson = parse.GetValue(json);
            var manifestPath = ModelRegistry.ResolveManifest(parse.GetValue(model)!);
            var rows = DataReader.Read(parse.GetValue(data)!, new DataReadOptions
            {
                Target = parse.GetValue(target)!,
                Categorical = CliHelpers.SplitList(parse.GetValue(categorical)),
                OnBadRow = parse.GetValue(onBadRow) == "skip" ? BadRowPolicy.Skip : BadRowPolicy.Fail,
            }, token);
            await TrainRun.ReportSkipped(asJson ? CliHelpers.Err(parse) : stdout, rows).ConfigureAwait(false);
            var result = await Task.Run(() => ModelEvaluator.Evaluate(manifestPath, rows, CliHelpers.ParseTolerances(parse.GetValue(tolerance))), token).ConfigureAwait(false);
            var warnings = EvaluationWarnings.For(result, rows);
            foreach (var warning in warnings)
            {
                await CliHelpers.Err(parse).WriteLineAsync("WARNING: " + warning).ConfigureAwait(false);
            }

            string? reportPath = null;
            if (parse.GetValue(report) is { } reportDir)
            {
                reportPath = ReportWriter.WriteEvaluation(reportDir, result);
            }

            if (asJson)
            {
                var m = result.Metrics;
                var payload = new
                {
                    model = manifestPath,
                    version = result.Manifest.Version,
                    rows = m.Rows,
                    mae = m.Mae,
                    rmse = m.Rmse,
                    r2 = m.R2,
                    accuracyWithin = CliHelpers.Within(m),
                    intervalCoverage = result.IntervalCoverage,
                    calibrationError = result.CalibrationError,
                    skill = m.SkillAgainst(result.Baseline),
                    baseline = CliHelpers.Summary(result.Baseline),
                    warnings,
                    report = reportPath,
                };
                await stdout.WriteLineAsync(JsonSerializer.Serialize(payload, CliHelpers.Json)).ConfigureAwait(false);
            }
            else
            {
                var c = CultureInfo.InvariantCulture;
                await stdout.WriteLineAsync($"Model {result.Manifest.Name} {result.Manifest.Version} on {result.Metrics.Rows} rows:").ConfigureAwait(false);
                foreach (var (label, m) in new[] { ("model", result.Metrics), ("baseline (training mean)", result.Baseline) })
                {
                    var within = string.Join(", ", m.AccuracyWithin.Select(p => string.Create(c, $"within {p.Key}: {p.Value:P1}")));
                    await stdout.WriteLineAsync(string.Create(c, $"  {label,-26} MAE {m.Mae:F4}  RMSE {m.Rmse:F4}  R² {m.R2:F3}  {within}")).ConfigureAwait(false);
                }

                await stdout.WriteLineAsync(string.Create(c, $"  skill {result.Metrics.SkillAgainst(result.Baseline):P1}; interval coverage {(result.IntervalCoverage is { } v ? v.ToString("P1", c) : "n/a")} (nominal {result.Manifest.Calibration?.Coverage:P0})")).ConfigureAwait(false);
                if (reportPath is not null)
                {
                    await stdout.WriteLineAsync($"Report: {reportPath}").ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
