using Microsoft.Extensions.Configuration;

namespace QualityPrediction.Internal;

/// <summary>Binds <see cref="QualityPredictionOptions"/> strictly: unknown keys are errors, and lists set in configuration replace the defaults instead of being appended to them.</summary>
internal static class OptionsBinding
{
    public static void Bind(IConfiguration configuration, QualityPredictionOptions options)
    {
        // The binder appends to existing lists; a list given in configuration replaces the default (and binding twice stays idempotent).
        if (configuration.GetSection(nameof(QualityPredictionOptions.Models)).GetChildren().Any())
        {
            options.Models.Clear();
        }

        var fit = configuration.GetSection($"{nameof(QualityPredictionOptions.Heuristic)}:{nameof(Heuristics.HeuristicOptions.Fit)}");
        if (fit.GetSection(nameof(Heuristics.HeuristicFitOptions.Hierarchy)).GetChildren().Any())
        {
            options.Heuristic.Fit.Hierarchy = [];
        }

        if (fit.GetSection(nameof(Heuristics.HeuristicFitOptions.Factors)).GetChildren().Any())
        {
            options.Heuristic.Fit.Factors = [];
        }

        configuration.Bind(options, static binder => binder.ErrorOnUnknownConfiguration = true);
    }
}
