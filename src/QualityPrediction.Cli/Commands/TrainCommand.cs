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
        var cross = new Option<string[]>("--cross") { Description = "Crossed pairs of categorical columns A*B (one-hot over the pair)." };
        var weight = new Option<string?>("--weight") { Description = "Column with a per-row weight (≥ 0) for the fit and the metrics; not a feature." };
        var propensity = new Option<string?>("--propensity") { Description = "Column with the recorded selection probability p in (0, 1]: rows are weighted by 1/p (inverse-propensity), clipped at --max-inverse-propensity; not a feature." };
        var maxInverse = NumberOptions.Double("--max-inverse-propensity", "Largest inverse-propensity weight 1/p.", 20);

        var command = new Command("train", "Train a model with nested cross-validation, calibrate it, export ML.NET + ONNX + manifest.")
        {
            data, target, output, name, trainer, folds, repeats, innerFolds, seed, tolerance, categorical, ignore, registry, report, json, onBadRow, coverage, range, minCategoryRows, cross,
            weight, propensity, maxInverse, decimalSeparator,
        };

        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async token =>
        {
            var started = TimeProvider.System.GetUtcNow();
            var stopwatch = Stopwatch.StartNew();
            var stdout = CliHelpers.Out(parse);
            var stderr = CliHelpers.Err(parse);
            var asJson = parse.GetValue(json);
            var info = asJson ? stderr : stdout;

            var readOptions = new DataReadOptions
            {
                Target = parse.GetValue(target)!,
                Categorical = CliHelpers.SplitList(parse.GetValue(categorical)),
                Ignore = CliHelpers.SplitList(parse.GetValue(ignore)),
                OnBadRow = parse.GetValue(onBadRow) == "skip" ? BadRowPolicy.Skip : BadRowPolicy.Fail,
                DecimalSeparator = parse.GetValue(decimalSeparator) is { } separator ? separator[0] : null,
            };
            var paths = parse.GetValue(data)!;
            var rows = await Task.Run(() => DataReader.Read(paths, readOptions, token), token).ConfigureAwait(false);
            rows = RowWeights.Apply(rows, new RowWeightOptions
            {
                WeightColumn = parse.GetValue(weight),
                PropensityColumn = parse.GetValue(propensity),
                MaxInverseProbability = parse.GetValue(maxInverse),
            });
            await ReportSkipped(info, rows).ConfigureAwait(false);

            var options = new TrainingOptions
            {
                Name = parse.GetValue(name)!,
                Trainer = parse.GetValue(trainer) switch
                {
                    "sdca" => TrainerKind.Sdca,
                    "fasttree" => TrainerKind.FastTree,
                    "fastforest" => TrainerKind.FastForest,
                    "lightgbm" => TrainerKind.LightGbm,
                    _ => null,
                },
                Folds = parse.GetValue(folds),
                Repeats = parse.GetValue(repeats),
                InnerFolds = parse.GetValue(innerFolds),
                Seed = parse.GetValue(seed),
                Tolerances = CliHelpers.ParseTolerances(parse.GetValue(tolerance)),
                Coverage = parse.GetValue(coverage),
                Featurizer = new FeaturizerOptions
                {
                    MinCategoryRows = parse.GetValue(minCategoryRows),
                    Crosses = [.. CliHelpers.SplitList(parse.GetValue(cross)).Select(ParseCross)],
                },
            };
            if (parse.GetValue(range) is { } rangeText)
            {
                (options.RangeMin, options.RangeMax) = ParseRange(rangeText);
            }

            // The checks are printed before the (long) training starts.
            await info.WriteLineAsync(DataChecks.Run(rows).ToText()).ConfigureAwait(false);
            if (rows.IgnoredFields.Count > 0)
            {
                await info.WriteLineAsync("Not used as features: " + string.Join("; ", rows.IgnoredFields)).ConfigureAwait(false);
            }

            await info.FlushAsync(token).ConfigureAwait(false);
            var result = await Task.Run(() => ModelTrainer.Train(rows, options, new ConsoleProgress(stderr), token), token).ConfigureAwait(false);

            var outDir = parse.GetValue(output)!;
            var registryDir = parse.GetValue(registry);
            string version;
            string? comparison = null;
            if (registryDir is not null)
            {
                version = ModelRegistry.AddVersion(registryDir, options.Name, (folder, v) =>
                {
                    ModelExporter.Export(result, folder, v, rows.Contexts, token);
                    ModelRegistry.WritePredictions(folder, new StoredPredictions { RowKeys = [.. result.OutOfFold.RowKeys], Actual = [.. result.OutOfFold.Actual], Predicted = [.. result.OutOfFold.Predicted] });
                    ReportWriter.WriteTraining(folder, result);
                });
                var aliases = ModelRegistry.ReadAliases(registryDir, options.Name);
                if (aliases.TryGetValue(ModelRegistry.Champion, out var champion))
                {
                    var candidate = ModelRegistry.ReadPredictions(registryDir, options.Name, version)!;
                    var baseline = ModelRegistry.ReadPredictions(registryDir, options.Name, champion);
                    var compared = baseline is null ? null : ModelRegistry.Compare(candidate, baseline, options.Seed);
                    comparison = compared is null
                        ? $"version {version} vs champion {champion}: fewer than 10 shared rows, not compared."
                        : $"version {version} vs champion {champion}: {compared}";
                    ModelRegistry.SetAlias(registryDir, options.Name, ModelRegistry.Challenger, version);
                }
                else
                {
                    ModelRegistry.SetAlias(registryDir, options.Name, ModelRegistry.Champion, version);
                    comparison = $"version {version} is the first version and becomes the champion.";
                }

                CopyVersion(Path.Combine(registryDir, options.Name, "versions", version), outDir, options.Name);
            }
            else
            {
                version = NextLocalVersion(outDir, options.Name);
                ModelExporter.Export(result, outDir, version, rows.Contexts, token);
            }

            string? reportPath = null;
            if (parse.GetValue(report) is { } reportDir)
            {
                reportPath = ReportWriter.WriteTraining(reportDir, result);
            }

            if (registryDir is not null)
            {
                ModelRegistry.RecordRun(registryDir, new RunRecord
                {
                    Id = string.Create(CultureInfo.InvariantCulture, $"{started:yyyyMMdd'T'HHmmss'Z'}-{options.Name}-{version}"),
                    Model = options.Name,
                    Version = version,
                    StartedAt = started,
                    DurationSeconds = stopwatch.Elapsed.TotalSeconds,
                    ToolVersion = ToolVersion(),
                    Parameters = Parameters(parse),
                    Data = result.Manifest.Data,
                    Metrics = result.Manifest.Metrics,
                    Comparison = comparison,
                });
            }

            var manifest = result.Manifest;
            if (asJson)
            {
                var payload = new
                {
                    name = manifest.Name,
                    version,
                    trainer = result.Chosen.Kind.ToString(),
                    config = result.Chosen.Name,
                    rows = rows.Count,
                    cv = CliHelpers.Summary(result.CrossValidation),
                    baseline = CliHelpers.Summary(result.Baseline),
                    heuristic = result.Heuristic is null ? null : CliHelpers.Summary(result.Heuristic),
                    cvOutsideIdenticalGroup = result.CrossValidationOutsideGroup is null ? null : CliHelpers.Summary(result.CrossValidationOutsideGroup),
                    skill = result.CrossValidation.SkillAgainst(result.Baseline),
                    intervalCoverage = result.IntervalCoverage,
                    calibrationError = result.CalibrationError,
                    parity = manifest.Parity,
                    artifacts = new
                    {
                        manifest = Path.Combine(outDir, manifest.Name + ModelManifest.FileSuffix),
                        mlnet = Path.Combine(outDir, manifest.Name + ".zip"),
                        onnx = Path.Combine(outDir, manifest.Name + ".onnx"),
                    },
                    registry = registryDir,
                    comparison,
                    report = reportPath,
                    durationSeconds = stopwatch.Elapsed.TotalSeconds,
                };
                await stdout.WriteLineAsync(JsonSerializer.Serialize(payload, CliHelpers.Json)).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Model {manifest.Name} {version}: {result.Chosen.Name} ({result.Chosen.Kind}), {options.Folds}-fold x {options.Repeats} nested cross-validation, {stopwatch.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);
                await stdout.WriteLineAsync(ReportWriter.MetricsTable(result)).ConfigureAwait(false);
                await stdout.WriteLineAsync("Configurations (inner CV MAE; outer folds that chose it): " + string.Join(", ", result.Configurations.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Config.Name} {s.Mae:F4} ({s.TimesChosen})")))).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Interval: nominal {options.Coverage:P0}, held-out coverage {result.IntervalCoverage:P1}; confidence P(|error| <= {manifest.Target.Tolerance:G4}), calibration error {result.CalibrationError:F4}")).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ONNX parity: max |ML.NET - ONNX| {manifest.Parity!.MaxAbsDifference:G3} on {manifest.Parity.Rows} rows (tolerance {manifest.Parity.Tolerance:G3})")).ConfigureAwait(false);
                await stdout.WriteLineAsync($"Wrote {Path.Combine(outDir, manifest.Name + ModelManifest.FileSuffix)} (+ .zip, .onnx)").ConfigureAwait(false);
                if (comparison is not null)
                {
                    await stdout.WriteLineAsync("Registry: " + comparison).ConfigureAwait(false);
                }

                if (reportPath is not null)
                {
                    await stdout.WriteLineAsync($"Report: {reportPath}").ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    internal static async Task ReportSkipped(TextWriter info, TrainingData rows)
    {
        if (rows.SkippedRows.Count == 0)
        {
            return;
        }

        await info.WriteLineAsync($"Skipped {rows.SkippedRows.Count} bad rows (--on-bad-row skip); the first ones:").ConfigureAwait(false);
        foreach (var bad in rows.SkippedRows.Take(10))
        {
            await info.WriteLineAsync("  " + bad).ConfigureAwait(false);
        }
    }

    private static (string, string) ParseCross(string text)
    {
        var parts = text.Split('*');
        return parts.Length == 2 && parts.All(p => p.Length > 0) ? (parts[0], parts[1]) : throw new ArgumentException($"--cross: '{text}' must have the form A*B.");
    }

    private static (double, double) ParseRange(string text)
    {
        var parts = text.Split(',');
        return parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
            && min < max
            ? (min, max)
            : throw new ArgumentException($"--range: '{text}' must be MIN,MAX with MIN < MAX.");
    }

    private static string NextLocalVersion(string outDir, string name)
    {
        var path = Path.Combine(outDir, name + ModelManifest.FileSuffix);
        if (File.Exists(path))
        {
            try
            {
                if (int.TryParse(ModelManifest.Load(path).Version, NumberStyles.None, CultureInfo.InvariantCulture, out var previous))
                {
                    return (previous + 1).ToString("D4", CultureInfo.InvariantCulture);
                }
            }
            catch (ModelFormatException)
            {
                // An unreadable previous manifest is replaced by version 0001.
            }
        }

        return "0001";
    }

    private static void CopyVersion(string versionDir, string outDir, string name)
    {
        if (Path.GetFullPath(versionDir) == Path.GetFullPath(outDir))
        {
            return;
        }

        Directory.CreateDirectory(outDir);
        foreach (var file in new[] { name + ".zip", name + ".onnx", name + ModelManifest.FileSuffix })
        {
            var temp = Path.Combine(outDir, $".{file}.{Guid.NewGuid():N}.tmp");
            File.Copy(Path.Combine(versionDir, file), temp);
            File.Move(temp, Path.Combine(outDir, file), overwrite: true);
        }
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

    private sealed class ConsoleProgress(TextWriter error) : IProgress<TrainingProgress>
    {
        private readonly Lock _gate = new();
        private string _stage = "";
        private int _lastDecile = -1;

        public void Report(TrainingProgress value)
        {
            lock (_gate)
            {
                var decile = value.Total == 0 ? 10 : value.Done * 10 / value.Total;
                if (value.Stage != _stage || decile > _lastDecile)
                {
                    _stage = value.Stage;
                    _lastDecile = decile;
                    error.WriteLine($"[{value.Stage}] {value.Done}/{value.Total}");
                }
            }
        }
    }
}
