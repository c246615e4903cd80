using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityPrediction.Ensemble;
using QualityPrediction.Heuristics;
using QualityPrediction.Models;
using QualityPrediction.Monitoring;

namespace QualityPrediction.Internal;

/// <summary>Builds the composed predictor of one <c>AddQualityPrediction</c> registration from its validated options.</summary>
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
        try
        {
            if (options.Models.Count > 0)
            {
                var factory = services.GetService<IModelPredictorFactory>() ?? throw new InvalidOperationException(
                    $"{prefix}:Models lists model members but no IModelPredictorFactory is registered: reference QualityPrediction.Onnx or QualityPrediction.MLNet and call AddOnnxModel(...) or AddMLNetModel(...).");
                foreach (var model in options.Models)
                {
                    members.Add(EnsembleMember.Model(factory.Create(model), model.Weight));
                    Log.ModelMemberCreated(logger, displayName, model.Name, model.Path);
                }
            }

            if (CreateHeuristic(options, prefix, timeProvider) is { } heuristic)
            {
                members.Add(EnsembleMember.Heuristic(heuristic));
                Log.HeuristicReady(logger, displayName, options.Heuristic.Mode.ToString(), (heuristic as FittedHeuristicPredictor)?.Model.Version);
            }

            var ensemble = new EnsemblePredictor(displayName, members, options.Ensemble, options.Range, timeProvider, logger, services.GetService<IMeterFactory>());
            var observers = services.GetServices<IPredictionObserver>().ToArray();
            return observers.Length == 0 ? ensemble : new ObservedQualityPredictor(ensemble, name, observers, logger);
        }
        catch
        {
            foreach (var member in members)
            {
                (member.Predictor as IDisposable)?.Dispose();
            }

            throw;
        }
    }

    private static IQualityPredictor? CreateHeuristic(QualityPredictionOptions options, string prefix, TimeProvider timeProvider)
    {
        var heuristic = options.Heuristic;
        switch (heuristic.Mode)
        {
            case HeuristicMode.Rules:
                return new RuleBasedHeuristicPredictor(heuristic.Rules, options.Range, options.Tolerance, timeProvider);

            case HeuristicMode.Fitted when !string.IsNullOrWhiteSpace(heuristic.ModelPath):
                try
                {
                    return new FittedHeuristicPredictor(FittedHeuristicModel.Load(Paths.Resolve(heuristic.ModelPath)), timeProvider);
                }
                catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
                {
                    throw new InvalidOperationException($"{prefix}:Heuristic:ModelPath ('{heuristic.ModelPath}') could not be loaded: {ex.Message}", ex);
                }

            case HeuristicMode.Fitted:
                try
                {
                    var (contexts, targets) = OutcomeFile.ReadJsonLines(Paths.Resolve(heuristic.OutcomesPath!), heuristic.Fit.Target);
                    var model = FittedHeuristicModel.Fit(contexts, targets, heuristic.Fit, options.Range, options.Tolerance);
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
}
