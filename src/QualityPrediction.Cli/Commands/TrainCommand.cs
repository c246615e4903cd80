using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using QualityPrediction.Models;
using QualityPrediction.Training;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Export;
using QualityPrediction.Training.Featurization;
using QualityPrediction.Training.Registry;
using QualityPrediction.Training.Reports;
using QualityPrediction.Training.Trainers;

namespace QualityPrediction.Cli.Commands;

/// <summary><c>quality train</c>: read data, check it, train with nested cross-validation, calibrate, export, register.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "Data file (CSV with header, JSON lines, JSON array, legacy {features,target}); repeat for more.", Required = true, AllowMultipleArgumentsPerToken = true };
        var target = new Option<string>("--target") { Description = "The target column.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for NAME.zip, NAME.onnx and NAME.model.json.", Required = true };
        var name = new Option<string>("--name") { Description = "Model name.", DefaultValueFactory = _ => "quality" };
        var trainer = new Option<string>("--trainer") { Description = "Trainer; auto searches Sdca and LightGbm settings with nested cross-validation.", DefaultValueFactory = _ => "auto" };
        trainer.AcceptOnlyFromAmong("auto", "sdca", "fasttree", "fastforest", "lightgbm");
        var folds = NumberOptions.Int32("--folds", "Outer cross-validation folds.", 5);
        var repeats = NumberOptions.Int32("--repeats", "Repeats of the outer cross-validation.", 1);
        var innerFolds = NumberOptions.Int32("--inner-folds", "Inner folds that choose the configuration inside each outer training fold.", 3);
        var seed = NumberOptions.Int32("--seed", "Random seed; the same seed and data reproduce the run.", 1);
        var tolerance = new Option<string[]>("--tolerance") { Description = "Tolerances T[,T…] for accuracy within T; the middle one is the confidence tolerance. Default: range/24, /12, /6." };
        var categorical = new Option<string[]>("--categorical") { Description = "Columns to treat as categorical (C,…)." };
        var ignore = new Option<string[]>("--ignore") { Description = "Columns to leave out (C,…)." };
        var registry = new Option<string?>("--registry") { Description = "Registry folder: the model becomes a new version there and the run is recorded." };
        var report = new Option<string?>("--report") { Description = "Folder for a markdown report with PNG plots." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (progress and checks go to stderr)." };
        var onBadRow = new Option<string>("--on-bad-row") { Description = "fail (default) stops at the first bad row; skip leaves bad rows out and lists them.", DefaultValueFactory = _ => "fail" };
        onBadRow.AcceptOnlyFromAmong("fail", "skip");
        var coverage = NumberOptions.Double("--coverage", "Nominal coverage of the conformal interval.", 0.9);
        var range = new Option<string?>("--range") { Description = "Declared score range MIN,MAX (default: the targets' min and max)." };
        var minCategoryRows = NumberOptions.Int32("--min-category-rows", "Fewest rows for a category to get its own one-hot slot.", 10);
        var decimalSeparator = new Option<string?>("--decimal-separator") { Description = "The decimal separator of numbers in CSV files: '.' or ','. Default: detected per file (semicolon- or tab-separated files with numbers like 7,4 use commas)." };
        decimalSeparator.AcceptOnlyFromAmong(".", ",");
        var serving = new Option<string[]>("--serving-contexts") { Description = "Files of logged serving contexts (e.g. a dataset written by `quality collect`); a feature that none of them carries is refused. Repeat for more.", AllowMultipleArgumentsPerToken = true };
        var allowUnserved = new Option<bool>("--allow-unserved-features") { Description = "Train even when a feature is in none of the --serving-contexts (a warning instead of an error)." };
        var noCrossSearch = new Option<bool>("--no-cross-search") { Description = "Do not let the automatic search try crossed pairs of categorical columns." };
        var cross = new Option<string[]>("--cross") { Description = "Crossed pairs of categorical columns A*B (one-hot over the pair)." };
        var weight = new Option<string?>("--weight") { Description = "Column with a per-row weight (≥ 0) for the fit and the metrics; not a feature." };
        var propensity = new Option<string?>("--propensity") { Description = "Column with the recorded selection probability p in (0, 1]: rows are weighted by 1/p (inverse-propensity), clipped at --max-inverse-propensity; not a feature." };
        var maxInverse = NumberOptions.Double("--max-inverse-propensity", "Largest inverse-propensity weight 1/p.", 20);

        var command = new Command("train", "Train a model with nested cross-validation, calibrate it, export ML.NET + ONNX + manifest.")
        {
            data, target, output, name, trainer, folds, repeats, innerFolds, seed, tolerance, categorical, ignore, registry, report, json, onBadRow, coverage, range, minCategoryRows, cross,
            weight, propensity, maxInverse, decimalSeparator, serving, allowUnserved, noCrossSearch,
        };

        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async token =>
        {
            var request = new TrainRequest
            {
                Data = parse.GetValue(data)!,
                Target = parse.GetValue(target)!,
                Out = parse.GetValue(output)!,
                Name = parse.GetValue(name)!,
                Trainer = parse.GetValue(trainer)!,
                Folds = parse.GetValue(folds),
                Repeats = parse.GetValue(repeats),
                InnerFolds = parse.GetValue(innerFolds),
                Seed = parse.GetValue(seed),
                Tolerances = CliHelpers.ParseTolerances(parse.GetValue(tolerance)),
                Categorical = CliHelpers.SplitList(parse.GetValue(categorical)),
                Ignore = CliHelpers.SplitList(parse.GetValue(ignore)),
                Registry = parse.GetValue(registry),
                Report = parse.GetValue(report),
                Json = parse.GetValue(json),
                OnBadRow = parse.GetValue(onBadRow) == "skip" ? BadRowPolicy.Skip : BadRowPolicy.Fail,
                Coverage = parse.GetValue(coverage),
                Range = parse.GetValue(range) is { } rangeText ? ParseRange(rangeText) : null,
                MinCategoryRows = parse.GetValue(minCategoryRows),
                Crosses = [.. CliHelpers.SplitList(parse.GetValue(cross)).Select(ParseCross)],
                Weight = parse.GetValue(weight),
                Propensity = parse.GetValue(propensity),
                MaxInversePropensity = parse.GetValue(maxInverse),
                DecimalSeparator = parse.GetValue(decimalSeparator) is { } separator ? separator[0] : null,
                ServingContexts = parse.GetValue(serving) ?? [],
                AllowUnservedFeatures = parse.GetValue(allowUnserved),
                SearchCrosses = !parse.GetValue(noCrossSearch),
                Parameters = Parameters(parse),
            };
            await TrainRun.RunAsync(request, CliHelpers.Out(parse), CliHelpers.Err(parse), token).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static (string, string) ParseCross(string text)
    {
        var parts = text.Split('*');
        return parts.Length == 2 && parts.All(p => p.Length > 0) ? (parts[0], parts[1]) : throw new ArgumentException($"--cross: '{text}' must have the form A*B.");
    }

    internal static (double, double) ParseRange(string text)
    {
        var parts = text.Split(',');
        return parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
            && min < max
            ? (min, max)
            : throw new ArgumentException($"--range: '{text}' must be MIN,MAX with MIN < MAX.");
    }

    private static Dictionary<string, string> Parameters(ParseResult parse)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in parse.CommandResult.Command.Options)
        {
            if (parse.GetResult(option) is { } result && !result.Implicit)
            {
                parameters[option.Name] = string.Join(" ", result.Tokens.Select(t => t.Value));
            }
        }

        return parameters;
    }

    internal static string ToolVersion() =>
        typeof(TrainCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
