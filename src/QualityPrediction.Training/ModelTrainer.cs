using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using QualityPrediction.Heuristics;
using QualityPrediction.Models;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Evaluation;
using QualityPrediction.Training.Featurization;
using QualityPrediction.Training.Internal;
using QualityPrediction.Training.Trainers;

namespace QualityPrediction.Training;

/// <summary>
/// Trains a model with honest, nested cross-validation: inside each outer training fold an inner cross-validation picks
/// the configuration, and only the outer folds (which played no part in the choice) are reported. The configuration with
/// the best cross-validated MAE is then refitted on all rows, and calibrated with split-conformal residual quantiles.
/// </summary>
public static class ModelTrainer
{
    /// <summary>Trains, evaluates and calibrates a model.</summary>
    /// <param name="data">The rows. With <see cref="TrainingData.Weights"/> (see <see cref="RowWeights.Apply"/>), every fit uses them as
    /// ML.NET example weights, and the configuration choice, the baseline (a weighted mean) and the cross-validated, baseline and
    /// heuristic metrics are weighted; the conformal calibration stays unweighted (it describes the rows as logged).</param>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives progress of the long steps.</param>
    /// <param name="cancellationToken">Stops between fits.</param>
    /// <returns>The model, its manifest (without artifacts) and the metrics.</returns>
    /// <exception cref="ArgumentException">The options are invalid, there are fewer rows than folds, or a feature is a bookkeeping column (<see cref="BookkeepingColumns"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static TrainingResult Train(TrainingData data, TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (data.Columns.FirstOrDefault(c => BookkeepingColumns.IsBookkeeping(c.Name)) is { } bookkeeping)
        {
            throw new ArgumentException($"Column '{bookkeeping.Name}' is bookkeeping (ids, times, selection probabilities, weights, sources, model versions), never a feature: a serving context does not carry it. Take it out with BookkeepingColumns.Remove (after RowWeights.Apply when it holds weights or selection probabilities).", nameof(data));
        }

        var n = data.Count;
        if (n < options.Folds * options.InnerFolds)
        {
            throw new ArgumentException($"{n} rows are too few for {options.Folds} outer × {options.InnerFolds} inner folds.", nameof(data));
        }

        var clock = Stopwatch.StartNew();
        var checks = DataChecks.Run(data);
        var targets = data.Targets;
        var weights = data.Weights; // null: every row counts the same
        var range = new ScoreRange(options.RangeMin ?? Math.Min(targets.Min(), options.RangeMax ?? double.MaxValue), options.RangeMax ?? targets.Max());
        if (!(range.Min < range.Max))
        {
            range = new ScoreRange(range.Min, range.Min + 1);
        }

        var tolerances = options.Tolerances.Count > 0 ? [.. options.Tolerances] : DefaultTolerances(range);
        var primary = options.ConfidenceTolerance ?? tolerances.OrderBy(t => t).ElementAt((tolerances.Count - 1) / 2);
        var configs = options.Configurations is { Count: > 0 } explicitConfigs ? [.. explicitConfigs] : TrainerConfig.SearchSpace(options.Trainer, data.Columns.Any(c => c.Kind == FeatureKind.Categorical));
        if (weights is not null && configs.Any(c => c.Kind == TrainerKind.Sdca))
        {
            // Measured with ML.NET 5.0.1: Sdca with example weights (inverse-propensity weights up to 10, even scaled to mean 1)
            // diverges to non-finite coefficients, so weighted runs leave it out of the search.
            configs = [.. configs.Where(c => c.Kind != TrainerKind.Sdca)];
            if (configs.Count == 0)
            {
                throw new ArgumentException("Sdca does not train reliably with row weights (its coefficients diverge); with --weight or --propensity use fasttree, fastforest, lightgbm or auto.", nameof(options));
            }
        }

        // Crossed pairs of categorical features: the automatic search also tries every configuration on the features plus every
        // crossed pair, and the inner cross-validation (never the outer folds) decides whether the crosses help.
        var featureSets = new List<FeaturizerOptions> { options.Featurizer };
        var autoCrosses = options.Trainer is null && (options.SearchCrosses ?? options.Configurations is not { Count: > 0 })
            ? CandidateCrosses(data, options.Featurizer)
            : [];
        var setOf = new List<int>(Enumerable.Repeat(0, configs.Count));
        if (autoCrosses.Count > 0)
        {
            featureSets.Add(new FeaturizerOptions
            {
                MinCategoryRows = options.Featurizer.MinCategoryRows,
                MaxCategories = options.Featurizer.MaxCategories,
                MaxRareCategories = options.Featurizer.MaxRareCategories,
                HistogramBins = options.Featurizer.HistogramBins,
                Crosses = [.. options.Featurizer.Crosses, .. autoCrosses],
            });
            var crossed = configs.Select(c => c with { Name = c.Name + "+crosses" }).ToList();
            configs = [.. configs, .. crossed];
            setOf.AddRange(Enumerable.Repeat(1, crossed.Count));
        }

        var repeats = options.Repeats;
        var folds = options.Folds;

        // 1. Outer folds; each fold's features are decided on its training rows only.
        var outer = new List<OuterFold>();
        for (var r = 0; r < repeats; r++)
        {
            var assignment = Assign(n, folds, options.Seed + (1000 * r));
            for (var k = 0; k < folds; k++)
            {
                var train = Enumerable.Range(0, n).Where(i => assignment[i] != k).ToArray();
                var test = Enumerable.Range(0, n).Where(i => assignment[i] == k).ToArray();
                var trainData = data.Subset(train);
                var matrices = new float[featureSets.Count][];
                var widths = new int[featureSets.Count];
                for (var f = 0; f < featureSets.Count; f++)
                {
                    var encoder = FeatureEncoder.Create(Featurizer.Build(trainData, featureSets[f]));
                    matrices[f] = Featurizer.Encode(encoder, data.Contexts);
                    widths[f] = encoder.Length;
                }

                var inner = Assign(train.Length, options.InnerFolds, options.Seed + (1000 * r) + k + 1);
                outer.Add(new OuterFold(r, k, train, test, matrices, widths, inner));
            }
        }

        // 2. The inner fits (outer fold × configuration × inner fold) are independent: run them in parallel.
        var jobs = new List<FitJob>();
        foreach (var fold in outer)
        {
            for (var c = 0; c < configs.Count; c++)
            {
                if (configs.Count > 1)
                {
                    for (var j = 0; j < options.InnerFolds; j++)
                    {
                        var innerTrain = fold.Train.Where((_, p) => fold.Inner[p] != j).ToArray();
                        var innerTest = fold.Train.Where((_, p) => fold.Inner[p] == j).ToArray();
                        jobs.Add(new FitJob(fold, c, j, innerTrain, innerTest));
                    }
                }

                if (configs.Count == 1)
                {
                    jobs.Add(new FitJob(fold, c, -1, fold.Train, fold.Test));
                }
            }
        }

        var done = 0;
        var total = jobs.Count + (configs.Count > 1 ? outer.Count : 0);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken };
        progress?.Report(new TrainingProgress("cross-validation", 0, total));
        RunJobs(jobs, configs, setOf, targets, weights, options, parallel, () => progress?.Report(new TrainingProgress("cross-validation", Interlocked.Increment(ref done), total)));

        // 3. Per outer fold, the inner search picks a configuration; only it is fitted on the outer training rows and
        //    scored on the outer test rows, which played no part in the choice.
        var chosenCount = new int[configs.Count];
        var innerErrors = new double[configs.Count];
        var innerRows = new double[configs.Count];
        var outerJobs = new List<FitJob>();
        foreach (var fold in outer)
        {
            var best = 0;
            if (configs.Count > 1)
            {
                var bestMae = double.MaxValue;
                for (var c = 0; c < configs.Count; c++)
                {
                    double sum = 0;
                    double count = 0;
                    foreach (var job in jobs.Where(j => j.Fold == fold && j.Config == c && j.Inner >= 0))
                    {
                        for (var p = 0; p < job.TestRows.Length; p++)
                        {
                            var w = weights?[job.TestRows[p]] ?? 1;
                            sum += w * Math.Abs(targets[job.TestRows[p]] - range.Clamp(job.Predictions[p]));
                            count += w;
                        }
                    }

                    innerErrors[c] += sum;
                    innerRows[c] += count;
                    if (sum / count < bestMae)
                    {
                        bestMae = sum / count;
                        best = c;
                    }
                }

                outerJobs.Add(new FitJob(fold, best, -1, fold.Train, fold.Test));
            }

            chosenCount[best]++;
        }

        RunJobs(outerJobs, configs, setOf, targets, weights, options, parallel, () => progress?.Report(new TrainingProgress("cross-validation", Interlocked.Increment(ref done), total)));
        jobs.AddRange(outerJobs);

        // 4. The nested predictions, the baseline and the heuristic on the same folds.
        var nested = NewMatrix(repeats, n);
        var baseline = NewMatrix(repeats, n);
        var heuristic = NewMatrix(repeats, n);
        string? heuristicNote = null;
        foreach (var fold in outer)
        {
            foreach (var job in jobs.Where(j => j.Fold == fold && j.Inner < 0))
            {
                for (var p = 0; p < job.TestRows.Length; p++)
                {
                    var prediction = range.Clamp(job.Predictions[p]);
                    nested[fold.Repeat][job.TestRows[p]] = prediction;
                }
            }

            var mean = weights is null ? fold.Train.Average(i => targets[i]) : WeightedMean(fold.Train, targets, weights);
            foreach (var i in fold.Test)
            {
                baseline[fold.Repeat][i] = mean;
            }

            if (options.CompareHeuristic && heuristicNote is null)
            {
                heuristicNote = PredictHeuristic(data, fold, range, primary, heuristic[fold.Repeat]);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!options.CompareHeuristic)
        {
            heuristicNote = "not requested";
        }

        // 5. Metrics pooled over repeats.
        var actualAll = Pool(repeats, r => targets);
        var weightsAll = weights is null ? null : Pool(repeats, r => weights);
        var cv = RegressionMetrics.Compute(actualAll, Pool(repeats, r => nested[r]), tolerances, weightsAll);
        var baseMetrics = RegressionMetrics.Compute(actualAll, Pool(repeats, r => baseline[r]), tolerances, weightsAll);
        var heurMetrics = heuristicNote is null ? RegressionMetrics.Compute(actualAll, Pool(repeats, r => heuristic[r]), tolerances, weightsAll) : null;
        var scores = configs.Select((config, c) => new ConfigScore(config, innerRows[c] > 0 ? innerErrors[c] / innerRows[c] : cv.Mae, chosenCount[c])).ToList();

        RegressionMetrics? outsideCv = null, outsideBase = null;
        if (checks.IdenticalGroupRows.Count > 0)
        {
            var inGroup = new HashSet<int>(checks.IdenticalGroupRows);
            var rest = Enumerable.Range(0, n).Where(i => !inGroup.Contains(i)).ToArray();
            if (rest.Length > 0)
            {
                var restWeights = weights is null ? null : Pool(repeats, r => rest.Select(i => weights[i]).ToArray());
                outsideCv = RegressionMetrics.Compute(Pool(repeats, r => rest.Select(i => targets[i]).ToArray()), Pool(repeats, r => rest.Select(i => nested[r][i]).ToArray()), tolerances, restWeights);
                outsideBase = RegressionMetrics.Compute(Pool(repeats, r => rest.Select(i => targets[i]).ToArray()), Pool(repeats, r => rest.Select(i => baseline[r][i]).ToArray()), tolerances, restWeights);
            }
        }

        // 6. Calibration: measured on each fold with a calibration fitted on the other folds' residuals, then fitted on all.
        var lower = new double[n];
        var upper = new double[n];
        var confidence = new double[n];
        var covered = 0;
        double calibrationGap = 0;
        var measuredRows = 0;
        var confidenceTolerances = tolerances.Append(primary).Distinct().Order().ToList();
        var heldOut = confidenceTolerances.ToDictionary(t => t, _ => (Confidence: new List<double>(), Hit: new List<bool>()));
        foreach (var fold in outer)
        {
            var others = outer.Where(f => f.Repeat == fold.Repeat && f != fold).SelectMany(f => f.Test).ToArray();
            var calibration = ConformalCalibrator.Fit(others.Select(i => nested[fold.Repeat][i]).ToArray(), others.Select(i => targets[i]).ToArray(), options.Coverage, primary);
            var predicted = fold.Test.Select(i => nested[fold.Repeat][i]).ToArray();
            var actual = fold.Test.Select(i => targets[i]).ToArray();
            var (coverage, gap) = ConformalCalibrator.Measure(calibration, predicted, actual);
            covered += (int)Math.Round(coverage * predicted.Length);
            calibrationGap += gap * predicted.Length;
            measuredRows += predicted.Length;

            // The calibrated confidence at every tolerance, on rows its calibration never saw, pooled over all folds.
            foreach (var t in confidenceTolerances)
            {
                var atT = t == primary ? calibration : ConformalCalibrator.Fit(others.Select(i => nested[fold.Repeat][i]).ToArray(), others.Select(i => targets[i]).ToArray(), options.Coverage, t);
                for (var p = 0; p < predicted.Length; p++)
                {
                    heldOut[t].Confidence.Add(atT.FindBin(predicted[p]).WithinTolerance);
                    heldOut[t].Hit.Add(Math.Abs(actual[p] - predicted[p]) <= t + 1e-9);
                }
            }

            if (fold.Repeat == 0)
            {
                foreach (var i in fold.Test)
                {
                    var bin = calibration.FindBin(nested[0][i]);
                    lower[i] = nested[0][i] + bin.Lower;
                    upper[i] = nested[0][i] + bin.Upper;
                    confidence[i] = bin.WithinTolerance;
                }
            }
        }

        var intervalCoverage = (double)covered / measuredRows;
        var calibrationErrorWithinFolds = calibrationGap / measuredRows;
        var calibrationByTolerance = heldOut.ToDictionary(p => p.Key, p => ConformalCalibrator.ExpectedCalibrationError(p.Value.Confidence, p.Value.Hit));
        var calibrationError = calibrationByTolerance[primary];
        var finalCalibration = ConformalCalibrator.Fit(Pool(repeats, r => nested[r]), actualAll, options.Coverage, primary);
        finalCalibration.MeasuredCoverage = intervalCoverage;
        finalCalibration.CalibrationError = calibrationError;

        // 7. Refit the configuration with the best cross-validated MAE on all rows.
        var chosenIndex = scores.IndexOf(scores.MinBy(s => s.Mae)!);
        var chosen = scores[chosenIndex].Config;
        var chosenFeatures = featureSets[setOf[chosenIndex]];
        progress?.Report(new TrainingProgress("final fit", 0, 1));
        var features = Featurizer.Build(data, chosenFeatures);
        var finalEncoder = FeatureEncoder.Create(features);
        var finalMatrix = Featurizer.Encode(finalEncoder, data.Contexts);
        var finalContext = new MLContext(options.Seed);
        var all = Enumerable.Range(0, n).ToArray();
        var finalModel = MlNetModels.Fit(finalContext, chosen, MlNetModels.LabeledView(finalContext, finalMatrix, finalEncoder.Length, targets, all, weights), options.Seed, weighted: weights is not null);
        progress?.Report(new TrainingProgress("final fit", 1, 1));
        cancellationToken.ThrowIfCancellationRequested();

        var metricsJson = MetricsJson(cv, baseMetrics, heurMetrics, heuristicNote, outsideCv, outsideBase, scores, options, intervalCoverage, calibrationError, targets.Average(), data.WeightSource, calibrationByTolerance, calibrationErrorWithinFolds);
        var manifest = new ModelManifest
        {
            Name = options.Name,
            CreatedAt = options.TimeProvider.GetUtcNow(),
            Target = new TargetInfo { Name = data.Target, Min = range.Min, Max = range.Max, Tolerance = primary },
            Features = features,
            InputLength = finalEncoder.Length,
            Trainer = new Models.TrainerInfo { Name = chosen.Kind.ToString(), Parameters = ConfigParameters(chosen, options, data.WeightSource, chosenFeatures) },
            Data = new DataFingerprint { Rows = n, Sha256 = data.Sha256, Sources = [.. data.Sources] },
            Metrics = metricsJson,
            Calibration = finalCalibration,
        };

        return new TrainingResult(finalContext, finalModel, finalEncoder.Length)
        {
            Manifest = manifest,
            Checks = checks,
            Chosen = chosen,
            Configurations = scores,
            CrossValidation = cv,
            Baseline = baseMetrics,
            Heuristic = heurMetrics,
            HeuristicNote = heuristicNote,
            CrossValidationOutsideGroup = outsideCv,
            BaselineOutsideGroup = outsideBase,
            IntervalCoverage = intervalCoverage,
            CalibrationError = calibrationError,
            CalibrationErrorByTolerance = calibrationByTolerance,
            Tolerances = tolerances,
            OutOfFold = new OutOfFoldPredictions
            {
                RowKeys = RowKeys(data),
                Actual = [.. targets],
                Predicted = nested[0],
                Lower = lower,
                Upper = upper,
                Confidence = confidence,
                Baseline = baseline[0],
            },
            Duration = clock.Elapsed,
        };
    }

    /// <summary>Computes the stable row keys used to pair rows across model versions: the reader's keys of the records as read, else a hash of features and target.</summary>
    /// <param name="data">The rows.</param>
    /// <returns>One 16-hex-digit key per row.</returns>
    public static IReadOnlyList<string> RowKeys(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.RowKeys.Count == data.Count)
        {
            return data.RowKeys;
        }

        var keys = new string[data.Count];
        var text = new StringBuilder();
        for (var i = 0; i < data.Count; i++)
        {
            text.Clear();
            foreach (var name in data.Contexts[i].Names.Order(StringComparer.Ordinal))
            {
                text.Append(name).Append('=').Append(data.Contexts[i][name].ToString()).Append('\u001e');
            }

            text.Append(data.Targets[i].ToString("R", CultureInfo.InvariantCulture));
            keys[i] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 8));
        }

        return keys;
    }

    internal static List<double> DefaultTolerances(ScoreRange range)
    {
        static double Round(double x)
        {
            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(x)) - 1);
            return Math.Round(x / magnitude) * magnitude;
        }

        return [Round(range.Width / 24), Round(range.Width / 12), Round(range.Width / 6)];
    }

    private static string? PredictHeuristic(TrainingData data, OuterFold fold, ScoreRange range, double tolerance, double[] destination)
    {
        try
        {
            var categorical = data.Columns.Where(c => c.Kind == FeatureKind.Categorical).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var defaults = new HeuristicFitOptions();
            var fitOptions = new HeuristicFitOptions
            {
                Target = data.Target,
                Hierarchy = [.. defaults.Hierarchy.Where(categorical.Contains)],
                Factors = [.. defaults.Factors.Where(categorical.Contains)],
            };
            var model = FittedHeuristicModel.Fit(fold.Train.Select(i => data.Contexts[i]).ToArray(), fold.Train.Select(i => data.Targets[i]).ToArray(), fitOptions, range, tolerance);
            var predictor = new FittedHeuristicPredictor(model);
            foreach (var i in fold.Test)
            {
                destination[i] = predictor.Predict(data.Contexts[i]).Score;
            }

            return null;
        }
        catch (ArgumentException ex)
        {
            return $"the fitted heuristic could not be fitted: {ex.Message}";
        }
    }

    private static Dictionary<string, string> ConfigParameters(TrainerConfig chosen, TrainingOptions options, string? weightSource, FeaturizerOptions features)
    {
        var parameters = chosen.ParametersAsText();
        parameters["config"] = chosen.Name;
        parameters["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture);
        parameters["minCategoryRows"] = options.Featurizer.MinCategoryRows.ToString(CultureInfo.InvariantCulture);
        if (features.Crosses.Count > 0)
        {
            parameters["crosses"] = string.Join(",", features.Crosses.Select(c => $"{c.Left}*{c.Right}"));
        }

        if (weightSource is not null)
        {
            parameters["rowWeights"] = weightSource;
        }
        return parameters;
    }

    private static JsonElement MetricsJson(
        RegressionMetrics cv, RegressionMetrics baseline, RegressionMetrics? heuristic, string? heuristicNote,
        RegressionMetrics? outsideCv, RegressionMetrics? outsideBase, List<ConfigScore> scores, TrainingOptions options,
        double coverage, double calibrationError, double trainingMean, string? weightSource, Dictionary<double, double> calibrationByTolerance, double calibrationErrorWithinFolds)
    {
        var root = new Dictionary<string, object?>
        {
            ["method"] = $"nested cross-validation: {options.Folds} outer folds x {options.Repeats} repeats, {options.InnerFolds} inner folds choose the configuration",
            ["trainingMean"] = trainingMean,
            ["rowWeights"] = weightSource, // null: unweighted; otherwise the fit and the cv/baseline/heuristic metrics are weighted by it
            ["cv"] = Describe(cv, baseline),
            ["baseline"] = Describe(baseline, null),
            ["heuristic"] = heuristic is null ? null : Describe(heuristic, baseline),
            ["heuristicNote"] = heuristicNote,
            ["cvOutsideIdenticalGroup"] = outsideCv is null ? null : Describe(outsideCv, outsideBase),
            ["baselineOutsideIdenticalGroup"] = outsideBase is null ? null : Describe(outsideBase, null),
            ["intervalCoverage"] = coverage,
            ["calibrationError"] = calibrationError,
            ["calibrationErrorByTolerance"] = calibrationByTolerance.ToDictionary(p => p.Key.ToString("R", CultureInfo.InvariantCulture), p => p.Value),
            ["calibrationErrorWithinFolds"] = calibrationErrorWithinFolds,
            ["configurations"] = scores.Select(s => new { name = s.Config.Name, innerCvMae = s.Mae, timesChosen = s.TimesChosen }).ToList(),
        };
        return JsonSerializer.SerializeToElement(root, ModelManifest.SerializerOptions);
    }

    internal static Dictionary<string, object> Describe(RegressionMetrics m, RegressionMetrics? baseline)
    {
        var result = new Dictionary<string, object>
        {
            ["rows"] = m.Rows,
            ["mae"] = m.Mae,
            ["rmse"] = m.Rmse,
            ["r2"] = m.R2,
            ["accuracyWithin"] = m.AccuracyWithin,
        };
        if (baseline is not null)
        {
            result["skill"] = m.SkillAgainst(baseline);
        }

        return result;
    }

    private static void RunJobs(List<FitJob> jobs, IReadOnlyList<TrainerConfig> configs, IReadOnlyList<int> setOf, IReadOnlyList<double> targets, IReadOnlyList<double>? weights, TrainingOptions options, ParallelOptions parallel, Action onDone)
    {
        // Longest first (trees before the linear model) keeps every core busy to the end.
        Parallel.ForEach(jobs.OrderByDescending(j => Cost(configs[j.Config])), parallel, job =>
        {
            var seed = unchecked((options.Seed * 7919) + (job.Fold.Repeat * 104729) + (job.Fold.Index * 1299709) + (job.Config * 15485863) + job.Inner + 1);
            var context = new MLContext(seed);
            var set = setOf[job.Config];
            var trainView = MlNetModels.LabeledView(context, job.Fold.Matrices[set], job.Fold.Widths[set], targets, job.TrainRows, weights);
            var model = MlNetModels.Fit(context, configs[job.Config], trainView, seed, weighted: weights is not null);
            var testView = MlNetModels.LabeledView(context, job.Fold.Matrices[set], job.Fold.Widths[set], targets, job.TestRows);
            job.Predictions = MlNetModels.Score(model, testView);
            onDone();
        });
    }

    private static double WeightedMean(int[] rows, IReadOnlyList<double> targets, IReadOnlyList<double> weights)
    {
        double sum = 0, total = 0;
        foreach (var i in rows)
        {
            sum += weights[i] * targets[i];
            total += weights[i];
        }

        return total > 0 ? sum / total : rows.Average(i => targets[i]);
    }

    private static int[] Assign(int n, int folds, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var assignment = new int[n];
        for (var p = 0; p < n; p++)
        {
            assignment[order[p]] = p % folds;
        }

        return assignment;
    }

    private static double Cost(TrainerConfig config) => config.Kind == TrainerKind.Sdca
        ? 1
        : config.Get("iterations", config.Get("trees", 100)) * config.Get("leaves", 31);

    private static double[][] NewMatrix(int repeats, int n) => [.. Enumerable.Range(0, repeats).Select(_ => new double[n])];

    private static double[] Pool(int repeats, Func<int, IReadOnlyList<double>> select) =>
        [.. Enumerable.Range(0, repeats).SelectMany(r => select(r))];

    private sealed record OuterFold(int Repeat, int Index, int[] Train, int[] Test, float[][] Matrices, int[] Widths, int[] Inner);

    /// <summary>Every pair of categorical columns not crossed already, when there are 2 to 6 categorical columns (at most 15 pairs).</summary>
    private static List<(string Left, string Right)> CandidateCrosses(TrainingData data, FeaturizerOptions featurizer)
    {
        var categorical = data.Columns.Where(c => c.Kind == FeatureKind.Categorical).Select(c => c.Name).ToList();
        var pairs = new List<(string, string)>();
        if (categorical.Count is < 2 or > 6)
        {
            return pairs;
        }

        for (var a = 0; a < categorical.Count; a++)
        {
            for (var b = a + 1; b < categorical.Count; b++)
            {
                var (left, right) = (categorical[a], categorical[b]);
                if (!featurizer.Crosses.Any(c => (c.Left == left && c.Right == right) || (c.Left == right && c.Right == left)))
                {
                    pairs.Add((left, right));
                }
            }
        }

        return pairs;
    }

    private sealed record FitJob(OuterFold Fold, int Config, int Inner, int[] TrainRows, int[] TestRows)
    {
        public float[] Predictions { get; set; } = [];
    }
}
