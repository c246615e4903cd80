using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityPrediction.Ensemble;
using QualityPrediction.Heuristics;
using QualityPrediction.Models;
using QualityPrediction.Models.Internal;
using QualityPrediction.Monitoring;

namespace QualityPrediction.Internal;

/// <summary>Builds the composed predictor of one <c>AddQualityPrediction</c> registration from its validated options and the host's model catalog.</summary>
internal static class QualityPredictorComposer
{
    public static IQualityPredictor Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<QualityPredictionOptions>>().Get(name);
        var timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<EnsemblePredictor>();
        var displayName = name.Length == 0 ? "default" : name;
        var prefix = name.Length == 0 ? QualityPredictionOptions.SectionName : $"{QualityPredictionOptions.SectionName}[{name}]";

        var members = new List<EnsembleMember>();
        IModelCatalog? catalog = null;
        if (options.Models.Count > 0)
        {
            catalog = services.GetRequiredService<IModelCatalog>();
        }

        var (range, tolerance) = ResolveScale(options, catalog, prefix, displayName, logger);
        foreach (var model in options.Models)
        {
            members.Add(EnsembleMember.Model(catalog!, model.Name, model.Weight));
            Log.ModelMemberCreated(logger, displayName, model.Name, model.Path);
        }

        if (CreateHeuristic(options, range, tolerance, prefix, timeProvider, services) is { } heuristic)
        {
            members.Add(EnsembleMember.Heuristic(heuristic));
            Log.HeuristicReady(logger, displayName, options.Heuristic.Mode.ToString(), (heuristic as FittedHeuristicPredictor)?.Model.Version);
        }

        if (options.Ensemble.DefaultScore is { } score && (score < range.Min || score > range.Max))
        {
            throw new OptionsValidationException(name, typeof(QualityPredictionOptions), [$"{prefix}:Ensemble:DefaultScore ({F(score)}) lies outside the score range [{F(range.Min)}, {F(range.Max)}] taken from the first model's manifest; remove it to use the middle of the range."]);
        }

        var ensemble = new EnsemblePredictor(displayName, members, options.Ensemble, range, timeProvider, logger, services.GetService<IMeterFactory>());
        var observers = services.GetServices<IPredictionObserver>().ToArray();
        return observers.Length == 0 ? ensemble : new ObservedQualityPredictor(ensemble, name, observers, logger);
    }

    /// <summary>
    /// The score range and tolerance: the options' when set (each model's manifest must then agree, or the start fails
    /// naming both), otherwise the first model's manifest's, otherwise the defaults.
    /// </summary>
    internal static (ScoreRange Range, double Tolerance) ResolveScale(QualityPredictionOptions options, IModelCatalog? catalog, string prefix, string displayName, ILogger logger)
    {
        var explicitRange = options.MinScore is { } min && options.MaxScore is { } max ? new ScoreRange(min, max) : (ScoreRange?)null;
        var manifests = new List<(ModelOptions Model, ModelManifest? Manifest, string? Problem)>();
        foreach (var model in options.Models)
        {
            var manifest = catalog is null ? null : PeekManifest(catalog, model.Name);
            manifests.Add((model, manifest, manifest is null ? catalog is null ? "no catalog" : ProblemOf(catalog, model.Name) : null));
        }

        var range = explicitRange ?? QualityPredictionOptions.DefaultRange;
        var tolerance = options.Tolerance ?? QualityPredictionOptions.DefaultTolerance;
        if (explicitRange is null && manifests.Count > 0)
        {
            var (first, manifest, problem) = manifests[0];
            if (manifest is not null)
            {
                range = manifest.Target.Range;
                tolerance = options.Tolerance ?? manifest.Target.Tolerance;
                Log.ScaleFromModel(logger, displayName, range.Min, range.Max, tolerance, first.Name);
            }
            else
            {
                Log.ScaleNotFromModel(logger, displayName, first.Name, problem ?? "unknown", range.Min, range.Max, tolerance);
            }
        }

        var failures = new List<string>();
        foreach (var (model, manifest, _) in manifests)
        {
            if (manifest is null)
            {
                continue;
            }

            var target = manifest.Target;
            if (target.Min != range.Min || target.Max != range.Max)
            {
                failures.Add(explicitRange is not null
                    ? $"{prefix}:MinScore/MaxScore [{F(range.Min)}, {F(range.Max)}] differ from model '{model.Name}''s target range [{F(target.Min)}, {F(target.Max)}] (its manifest, version {manifest.Version}): set them to the model's range, or remove both to take it from the manifest."
                    : $"Model '{model.Name}''s target range [{F(target.Min)}, {F(target.Max)}] (its manifest, version {manifest.Version}) differs from [{F(range.Min)}, {F(range.Max)}], taken from model '{manifests[0].Model.Name}': the models of one predictor must score on one range.");
            }

            if (options.Tolerance is { } configured && configured != target.Tolerance)
            {
                failures.Add($"{prefix}:Tolerance ({F(configured)}) differs from model '{model.Name}''s tolerance {F(target.Tolerance)} (its manifest, version {manifest.Version}): confidence would refer to another error than the model was calibrated for. Set it to {F(target.Tolerance)}, or remove it to take it from the manifest.");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(prefix, typeof(QualityPredictionOptions), failures);
        }

        return (range, tolerance);
    }

    private static ModelManifest? PeekManifest(IModelCatalog catalog, string model)
    {
        if (catalog.TryLease(model, out var lease))
        {
            using (lease)
            {
                return lease.Manifest;
            }
        }

        return CatalogEntries.Find(catalog, model)?.PeekManifest();
    }

    private static string ProblemOf(IModelCatalog catalog, string model) =>
        catalog.GetStatus(model) is { LastError: { } error } ? error : "it is still loading";

    private static IQualityPredictor? CreateHeuristic(QualityPredictionOptions options, ScoreRange range, double tolerance, string prefix, TimeProvider timeProvider, IServiceProvider services)
    {
        var heuristic = options.Heuristic;
        switch (heuristic.Mode)
        {
            case HeuristicMode.Rules:
                return new RuleBasedHeuristicPredictor(heuristic.Rules, range, tolerance, timeProvider);

            case HeuristicMode.Fitted when !string.IsNullOrWhiteSpace(heuristic.ModelPath):
                FittedHeuristicModel loaded;
                try
                {
                    loaded = FittedHeuristicModel.Load(Paths.Resolve(heuristic.ModelPath, services));
                }
                catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
                {
                    throw new InvalidOperationException($"{prefix}:Heuristic:ModelPath ('{heuristic.ModelPath}', resolved to '{Paths.Resolve(heuristic.ModelPath, services)}') could not be loaded: {ex.Message}", ex);
                }

                if (loaded.Range != range)
                {
                    throw new OptionsValidationException(prefix, typeof(QualityPredictionOptions), [$"{prefix}:Heuristic:ModelPath ('{heuristic.ModelPath}'): the fitted heuristic scores on [{F(loaded.Range.Min)}, {F(loaded.Range.Max)}] but the predictor's range is [{F(range.Min)}, {F(range.Max)}]; refit it on this range."]);
                }

                return new FittedHeuristicPredictor(loaded, timeProvider);

            case HeuristicMode.Fitted:
                try
                {
                    var (contexts, targets) = OutcomeFile.ReadJsonLines(Paths.Resolve(heuristic.OutcomesPath!, services), heuristic.Fit.Target);
                    var model = FittedHeuristicModel.Fit(contexts, targets, heuristic.Fit, range, tolerance);
                    return new FittedHeuristicPredictor(model, timeProvider);
                }
                catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException or ArgumentException)
                {
                    throw new InvalidOperationException($"{prefix}:Heuristic:OutcomesPath ('{heuristic.OutcomesPath}'): the heuristic could not be fitted: {ex.Message}", ex);
                }

            default:
                return null;
        }
    }

    private static string F(double value) => value.ToString(CultureInfo.InvariantCulture);
}
