using System.Diagnostics;
using System.Globalization;
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

/// <summary>
/// One training run, as <c>quality train</c> does it and <c>quality iterate</c> reuses it (never through a command line):
/// read → weights → bookkeeping out → serving check → checks → train → export → registry → report.
/// </summary>
internal static class TrainRun
{
    public static async Task<TrainOutcome> RunAsync(TrainRequest request, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        var started = TimeProvider.System.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        var info = request.Json ? stderr : stdout;

        var readOptions = new DataReadOptions
        {
            Target = request.Target,
            Categorical = [.. request.Categorical],
            Ignore = [.. request.Ignore],
            OnBadRow = request.OnBadRow,
            DecimalSeparator = request.DecimalSeparator,
        };
        var rows = await Task.Run(() => DataReader.Read(request.Data, readOptions, token), token).ConfigureAwait(false);
        rows = RowWeights.Apply(rows, new RowWeightOptions
        {
            WeightColumn = request.Weight,
            PropensityColumn = request.Propensity,
            MaxInverseProbability = request.MaxInversePropensity,
        });
        rows = BookkeepingColumns.Remove(rows);
        await ReportSkipped(info, rows).ConfigureAwait(false);
        await CheckServedAsync(request, rows, stderr, token).ConfigureAwait(false);

        var options = new TrainingOptions
        {
            Name = request.Name,
            Trainer = request.Trainer switch
            {
                "sdca" => TrainerKind.Sdca,
                "fasttree" => TrainerKind.FastTree,
                "fastforest" => TrainerKind.FastForest,
                "lightgbm" => TrainerKind.LightGbm,
                _ => null,
            },
            Folds = request.Folds,
            Repeats = request.Repeats,
            InnerFolds = request.InnerFolds,
            Seed = request.Seed,
            Tolerances = [.. request.Tolerances],
            Coverage = request.Coverage,
            SearchCrosses = request.SearchCrosses ? null : false,
            RangeMin = request.Range?.Min,
            RangeMax = request.Range?.Max,
            Featurizer = new FeaturizerOptions
            {
                MinCategoryRows = request.MinCategoryRows,
                Crosses = [.. request.Crosses],
            },
        };

        // The checks are printed before the (long) training starts.
        await info.WriteLineAsync(DataChecks.Run(rows).ToText()).ConfigureAwait(false);
        if (rows.IgnoredFields.Count > 0)
        {
            await info.WriteLineAsync("Not used as features: " + string.Join("; ", rows.IgnoredFields)).ConfigureAwait(false);
        }

        await info.FlushAsync(token).ConfigureAwait(false);
        var result = await Task.Run(() => ModelTrainer.Train(rows, options, new ConsoleProgress(stderr), token), token).ConfigureAwait(false);
        var skill = new ModelSkill(result.CrossValidation.Mae, result.Baseline.Mae, result.Heuristic?.Mae);

        var outDir = request.Out;
        var registryDir = request.Registry;
        string version;
        string? comparison = null;
        var champion = false;
        if (registryDir is not null)
        {
            version = ModelRegistry.AddVersion(registryDir, options.Name, (folder, v) =>
            {
                ModelExporter.Export(result, folder, v, rows.Contexts, token);
                ModelRegistry.WritePredictions(folder, new StoredPredictions { RowKeys = [.. result.OutOfFold.RowKeys], Actual = [.. result.OutOfFold.Actual], Predicted = [.. result.OutOfFold.Predicted] });
                ReportWriter.WriteTraining(folder, result);
            });
            // The library's promotion rule, which records each decision in the registry's history: a later version becomes
            // the challenger (compared with the champion on the rows both were evaluated on); the first one the champion
            // when it beats the baseline and the heuristic, otherwise the challenger.
            var promotion = new PromotionOptions { Seed = options.Seed, Skill = skill };
            if (ModelRegistry.ReadAliases(registryDir, options.Name).TryGetValue(ModelRegistry.Champion, out var current))
            {
                promotion.Alias = ModelRegistry.Challenger;
                var compared = ModelPromotion.Promote(registryDir, options.Name, version, promotion).Comparison;
                comparison = compared is null
                    ? $"version {version} vs champion {current}: fewer than 10 shared rows, not compared."
                    : $"version {version} vs champion {current}: {compared}";
            }
            else
            {
                var decision = ModelPromotion.Promote(registryDir, options.Name, version, promotion);
                champion = decision.Promoted;
                if (!champion)
                {
                    promotion.Alias = ModelRegistry.Challenger;
                    ModelPromotion.Promote(registryDir, options.Name, version, promotion);
                }

                comparison = champion
                    ? $"version {version} is the first version and becomes the champion."
                    : $"version {version} is the first version but does not become the champion: {decision.Decision}; it is the challenger.";
            }

            CopyVersion(Path.Combine(registryDir, options.Name, "versions", version), outDir, options.Name);
        }
        else
        {
            version = NextLocalVersion(outDir, options.Name);
            ModelExporter.Export(result, outDir, version, rows.Contexts, token);
        }

        string? reportPath = null;
        if (request.Report is { } reportDir)
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
                ToolVersion = TrainCommand.ToolVersion(),
                Parameters = request.Parameters.ToDictionary(),
                Data = result.Manifest.Data,
                Metrics = result.Manifest.Metrics,
                Comparison = comparison,
            });
        }

        // Loudly: a model that is not better than the baseline or the heuristic must not be taken for an improvement.
        var worse = skill.NotBetterThan;
        if (worse.Count > 0)
        {
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"WARNING: model {options.Name} {version} (CV MAE {skill.Mae:F4}) is NOT better than {string.Join(" or ", worse)} on the same rows. Do not serve it in their place{(registryDir is null ? "" : "; it is not made champion")}.")).ConfigureAwait(false);
        }

        var manifest = result.Manifest;
        if (request.Json)
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
                notBetterThan = worse,
                intervalCoverage = result.IntervalCoverage,
                calibrationError = result.CalibrationError,
                calibrationErrorByTolerance = result.CalibrationErrorByTolerance.ToDictionary(p => p.Key.ToString("R", CultureInfo.InvariantCulture), p => p.Value),
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
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Interval: nominal {options.Coverage:P0}, held-out coverage {result.IntervalCoverage:P1}; confidence P(|error| <= {manifest.Target.Tolerance:G4}), calibration error {result.CalibrationError:F4} (at each tolerance: {string.Join(", ", result.CalibrationErrorByTolerance.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key:G4}: {p.Value:F4}")))})")).ConfigureAwait(false);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ONNX parity: max |ML.NET - ONNX| {manifest.Parity!.MaxAbsDifference:G3} on {manifest.Parity.Rows} rows (tolerance {manifest.Parity.Tolerance:G3})")).ConfigureAwait(false);
            await stdout.WriteLineAsync($"Wrote {Path.Combine(outDir, manifest.Name + ModelManifest.FileSuffix)} (+ .zip, .onnx)").ConfigureAwait(false);
            if (worse.Count > 0)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"WARNING: this model is NOT better than {string.Join(" or ", worse)} on the same rows.")).ConfigureAwait(false);
            }

            if (comparison is not null)
            {
                await stdout.WriteLineAsync("Registry: " + comparison).ConfigureAwait(false);
            }

            if (reportPath is not null)
            {
                await stdout.WriteLineAsync($"Report: {reportPath}").ConfigureAwait(false);
            }
        }

        return new TrainOutcome(version, result, champion);
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

    /// <summary>Refuses (or warns about) features that no logged serving context carries: they would always be missing at serving time.</summary>
    private static async Task CheckServedAsync(TrainRequest request, TrainingData rows, TextWriter stderr, CancellationToken token)
    {
        if (request.ServingContexts.Count == 0)
        {
            return;
        }

        var served = ServingFeatures.ReadNames(request.ServingContexts, token);
        var unserved = ServingFeatures.FindUnserved(rows, served);
        if (unserved.Count == 0)
        {
            return;
        }

        var message = $"feature{(unserved.Count == 1 ? "" : "s")} {string.Join(", ", unserved.Select(u => $"'{u}'"))} of the training data {(unserved.Count == 1 ? "is" : "are")} in none of the logged serving contexts ({string.Join(", ", request.ServingContexts)}): at serving time {(unserved.Count == 1 ? "it is" : "they are")} always missing";
        if (!request.AllowUnservedFeatures)
        {
            throw new ArgumentException($"{message}. Pass --ignore {string.Join(",", unserved)} to leave {(unserved.Count == 1 ? "it" : "them")} out, or --allow-unserved-features to train anyway.");
        }

        await stderr.WriteLineAsync($"WARNING: {message} (--allow-unserved-features).").ConfigureAwait(false);
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
