using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.Feedback;
using QualityPrediction.PostgreSql;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Commands;

/// <summary>
/// <c>quality iterate --registry DIR --dataset FILE</c>: collect new outcomes into the dataset, train a new version on it,
/// compare it with the champion on the rows both were evaluated on, and promote it only when it is better beyond noise.
/// </summary>
internal static class IterateCommand
{
    public static Command Create()
    {
        var registry = new Option<string>("--registry") { Description = "The registry folder.", DefaultValueFactory = _ => "registry" };
        var name = new Option<string>("--name") { Description = "The model name.", DefaultValueFactory = _ => "quality" };
        var dataset = new Option<string>("--dataset") { Description = "The accumulated training dataset (JSON lines) that collect appends to and training reads.", Required = true };
        var data = new Option<string[]>("--data") { Description = "More data files to train on as well (e.g. the original training data); repeat for more.", AllowMultipleArgumentsPerToken = true };
        var target = new Option<string>("--target") { Description = "The target column.", DefaultValueFactory = _ => "quality" };
        var variable = PostgreSqlCommandHelpers.ConnectionStringEnvOption();
        var schema = PostgreSqlCommandHelpers.SchemaOption();
        var folder = new Option<string?>("--feedback-folder") { Description = "Collect from the embedded feedback store in this folder instead of PostgreSQL." };
        var skipCollect = new Option<bool>("--skip-collect") { Description = "Train on the dataset as it is (e.g. after `quality collect --table …`)." };
        var trainer = new Option<string>("--trainer") { Description = "Trainer (auto, sdca, fasttree, fastforest, lightgbm).", DefaultValueFactory = _ => "auto" };
        trainer.AcceptOnlyFromAmong("auto", "sdca", "fasttree", "fastforest", "lightgbm");
        var folds = NumberOptions.Int32("--folds", "Outer cross-validation folds.", 5);
        var seed = NumberOptions.Int32("--seed", "Random seed.", 1);
        var range = new Option<string?>("--range") { Description = "Declared score range MIN,MAX." };
        var categorical = new Option<string[]>("--categorical") { Description = "Columns to treat as categorical (C,…)." };
        var ignore = new Option<string[]>("--ignore") { Description = "Columns to leave out (C,…)." };
        var minRows = NumberOptions.Int32("--min-rows", "Train only when the dataset and data files hold at least this many rows.", 50);
        var dryRun = new Option<bool>("--dry-run") { Description = "Collect, train and compare, but leave the registry unchanged; print the decision." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (training output goes to stderr)." };
        var weight = new Option<string?>("--weight") { Description = "Column with a per-row weight (≥ 0) for the fit and the metrics, as in `quality train`; not a feature." };
        var propensity = new Option<string?>("--propensity") { Description = "Column with the recorded selection probability p in (0, 1] (collect writes selectionProbability): rows are weighted by 1/p, clipped at --max-inverse-propensity; not a feature." };
        var maxInverse = NumberOptions.Double("--max-inverse-propensity", "Largest inverse-propensity weight 1/p.", 20);
        var allowUnserved = new Option<bool>("--allow-unserved-features") { Description = "Train even when a feature of --data is in none of the collected (served) contexts of the dataset: a warning instead of an error." };
        var command = new Command("iterate", "Collect new outcomes, train a new version, compare it with the champion on the same rows, and promote it only if it is better beyond noise.")
        {
            registry, name, dataset, data, target, variable, schema, folder, skipCollect, trainer, folds, seed, range, categorical, ignore, minRows, dryRun, json,
            weight, propensity, maxInverse, allowUnserved,
        };

        command.SetAction((parse, cancellationToken) => PostgreSqlCommandHelpers.Guard(parse, cancellationToken, async ct =>
        {
            var stdout = CliHelpers.Out(parse);
            var stderr = CliHelpers.Err(parse);
            var asJson = parse.GetValue(json);
            var info = asJson ? stderr : stdout;
            var registryDir = parse.GetValue(registry)!;
            var model = parse.GetValue(name)!;
            var datasetPath = parse.GetValue(dataset)!;
            var targetName = parse.GetValue(target)!;
            var isDryRun = parse.GetValue(dryRun);

            // A dry run changes nothing on disk: it collects into a temporary copy of the dataset (and its watermark) and trains into a scratch registry.
            var scratch = Path.Combine(Path.GetTempPath(), "quality-iterate-" + Guid.NewGuid().ToString("N"));
            var originalDataset = datasetPath;
            if (isDryRun && !parse.GetValue(skipCollect))
            {
                datasetPath = CopyDataset(datasetPath, Path.Combine(scratch, "dataset"));
            }

            // 1. Collect.
            CollectResult? collected = null;
            if (!parse.GetValue(skipCollect))
            {
                try
                {
                    collected = await CollectAsync(parse.GetValue(folder), parse.GetValue(variable)!, parse.GetValue(schema)!, datasetPath, targetName, recordCollected: !isDryRun, ct).ConfigureAwait(false);
                }
                catch when (isDryRun)
                {
                    DeleteScratch(scratch);
                    throw;
                }

                await info.WriteLineAsync(isDryRun
                    ? $"Collected {collected.Appended} new rows into a temporary copy of {originalDataset} ({collected.Rows} in total); dry run: the dataset and its watermark are unchanged."
                    : $"Collected {collected.Appended} new rows into {datasetPath} ({collected.Rows} in total).").ConfigureAwait(false);
            }

            // 2. Enough rows?
            var files = new List<string>();
            if (File.Exists(datasetPath) && new FileInfo(datasetPath).Length > 0)
            {
                files.Add(datasetPath);
            }

            files.AddRange(parse.GetValue(data) ?? []);
            var rows = files.Sum(CountRows);
            var championBefore = ModelRegistry.ReadAliases(registryDir, model).GetValueOrDefault(ModelRegistry.Champion);
            if (rows < parse.GetValue(minRows))
            {
                DeleteScratch(scratch);
                var reason = $"not trained: {rows} rows available, fewer than --min-rows {parse.GetValue(minRows)}";
                await Report(stdout, asJson, collected, rows, null, championBefore, null, false, isDryRun, reason).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            // 3. Train into the registry (a scratch copy of its champion for a dry run).
            var workRegistry = isDryRun ? Path.Combine(scratch, "registry") : registryDir;
            try
            {
                if (isDryRun)
                {
                    PrepareScratchRegistry(registryDir, workRegistry, model, championBefore);
                }

                // The dataset's rows are the logged serving contexts: a feature of the other files that none of them carries is refused.
                var servingContexts = files.Count > 0 && files[0] == datasetPath && files.Count > 1 ? new[] { datasetPath } : [];
                var request = new TrainRequest
                {
                    Data = files,
                    Target = targetName,
                    Out = Path.Combine(scratch, "out"),
                    Name = model,
                    Registry = workRegistry,
                    Trainer = parse.GetValue(trainer)!,
                    Folds = parse.GetValue(folds),
                    Seed = parse.GetValue(seed),
                    Categorical = CliHelpers.SplitList(parse.GetValue(categorical)),
                    Ignore = CliHelpers.SplitList(parse.GetValue(ignore)),
                    Range = parse.GetValue(range) is { } rangeText ? TrainCommand.ParseRange(rangeText) : null,
                    Weight = parse.GetValue(weight),
                    Propensity = parse.GetValue(propensity),
                    MaxInversePropensity = parse.GetValue(maxInverse),
                    ServingContexts = servingContexts,
                    AllowUnservedFeatures = parse.GetValue(allowUnserved),
                    Parameters = new Dictionary<string, string> { ["command"] = "iterate" },
                };
                var trainOutput = new StringWriter(CultureInfo.InvariantCulture);
                TrainOutcome trained;
                try
                {
                    trained = await TrainRun.RunAsync(request, trainOutput, stderr, ct).ConfigureAwait(false);
                }
                finally
                {
                    await info.WriteAsync(trainOutput.ToString()).ConfigureAwait(false);
                }

                // 4. Compare and decide, with the one promotion rule (better than the baseline and the heuristic, and than the champion beyond noise).
                var version = trained.Version;
                var skill = new ModelSkill(trained.Result.CrossValidation.Mae, trained.Result.Baseline.Mae, trained.Result.Heuristic?.Mae);
                ComparisonResult? comparison = null;

                // With a champion, the library applies the rule and (unless dry) moves the alias and records the decision;
                // without one, training already made this version the champion or the challenger.
                PromotionDecision rule;
                if (championBefore is null)
                {
                    rule = PromotionRule.Decide(version, skill, championBefore, comparison);
                }
                else
                {
                    var options = new PromotionOptions { Seed = parse.GetValue(seed), Skill = skill };
                    var outcome = isDryRun
                        ? ModelPromotion.Decide(workRegistry, model, version, options)
                        : ModelPromotion.Promote(workRegistry, model, version, options);
                    rule = new PromotionDecision(outcome.Promoted, outcome.Decision);
                    comparison = outcome.Comparison;
                }

                var promoted = rule.Promote;
                string decision;
                if (championBefore is null)
                {
                    decision = promoted
                        ? $"version {version} is the first version of '{model}' and {(isDryRun ? "would become" : "became")} the champion"
                        : $"not promoted: {rule.Reason}; '{model}' has no champion, version {version} is the challenger";
                }
                else
                {
                    decision = promoted
                        ? $"{(isDryRun ? "would promote" : "promoted")} version {version} to champion (was {championBefore}): {comparison}"
                        : comparison is null || skill.NotBetterThan.Count > 0
                            ? $"not promoted: champion stays {championBefore}; {rule.Reason}"
                            : $"not promoted: champion stays {championBefore}; version {version} is the challenger: {comparison}";
                }

                await Report(stdout, asJson, collected, rows, version, championBefore, comparison, promoted, isDryRun, decision).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            finally
            {
                DeleteScratch(scratch);
            }
        }));
        return command;
    }

    private static void DeleteScratch(string scratch)
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Copies a dataset and its watermark (when they exist) into a folder, for a dry run; returns the copy's path.</summary>
    private static string CopyDataset(string datasetPath, string folder)
    {
        Directory.CreateDirectory(folder);
        var copy = Path.Combine(folder, Path.GetFileName(datasetPath));
        if (File.Exists(datasetPath))
        {
            File.Copy(datasetPath, copy);
        }

        var watermark = datasetPath + IncrementalDataset.WatermarkSuffix;
        if (File.Exists(watermark))
        {
            File.Copy(watermark, copy + IncrementalDataset.WatermarkSuffix);
        }

        return copy;
    }

    private static async Task<CollectResult> CollectAsync(string? feedbackFolder, string variable, string schema, string datasetPath, string targetName, bool recordCollected, CancellationToken ct)
    {
        if (feedbackFolder is not null)
        {
            if (!Directory.Exists(feedbackFolder))
            {
                throw new DirectoryNotFoundException($"--feedback-folder: folder '{feedbackFolder}' does not exist.");
            }

            using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = feedbackFolder });
            return await FeedbackCollector.CollectAsync(store, datasetPath, targetName, recordCollected, ct).ConfigureAwait(false);
        }

        var pg = new PostgreSqlFeedbackStore(new PostgreSqlFeedbackStoreOptions { ConnectionString = PostgreSqlCommandHelpers.ConnectionString(variable), Schema = schema });
        await using (pg.ConfigureAwait(false))
        {
            return await FeedbackCollector.CollectAsync(pg, datasetPath, targetName, recordCollected, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A scratch registry holding what the comparison needs: the version numbers (empty folders), the aliases and the champion's evaluated rows.</summary>
    private static void PrepareScratchRegistry(string registryDir, string scratch, string model, string? champion)
    {
        var versions = Path.Combine(scratch, model, "versions");
        Directory.CreateDirectory(versions);
        foreach (var version in ModelRegistry.ListVersions(registryDir, model))
        {
            Directory.CreateDirectory(Path.Combine(versions, version.Version));
        }

        var aliases = Path.Combine(registryDir, model, ModelRegistry.AliasesFile);
        if (File.Exists(aliases))
        {
            File.Copy(aliases, Path.Combine(scratch, model, ModelRegistry.AliasesFile));
        }

        if (champion is not null)
        {
            var predictions = Path.Combine(registryDir, model, "versions", champion, ModelRegistry.PredictionsFile);
            if (File.Exists(predictions))
            {
                File.Copy(predictions, Path.Combine(versions, champion, ModelRegistry.PredictionsFile));
            }
        }
    }

    /// <summary>Counts the non-empty lines of a JSON-lines file, or the data lines of a CSV (a rough count, for --min-rows).</summary>
    private static long CountRows(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }

        var lines = File.ReadLines(path).LongCount(l => !string.IsNullOrWhiteSpace(l));
        return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? Math.Max(0, lines - 1) : lines;
    }

    private static async Task Report(TextWriter stdout, bool asJson, CollectResult? collected, long rows, string? version, string? champion, ComparisonResult? comparison, bool promoted, bool dryRun, string decision)
    {
        if (asJson)
        {
            var payload = new
            {
                collected = collected is null ? null : new { appended = collected.Appended, rows = collected.Rows, watermark = collected.Watermark },
                rows,
                version,
                championBefore = champion,
                comparison = comparison is null ? null : new { comparison.Rows, candidateMae = comparison.CandidateMae, championMae = comparison.BaselineMae, comparison.Difference, comparison.Lower, comparison.Upper, comparison.ProbabilityBetter, comparison.BetterBeyondNoise },
                promoted,
                dryRun,
                decision,
            };
            await stdout.WriteLineAsync(JsonSerializer.Serialize(payload, CliHelpers.Json)).ConfigureAwait(false);
        }
        else
        {
            await stdout.WriteLineAsync((dryRun ? "Dry run (dataset, watermark and registry unchanged): " : "Decision: ") + decision + ".").ConfigureAwait(false);
        }
    }
}
