using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using QualityPrediction.Internal;

namespace QualityPrediction.Models.Internal;

/// <summary>One configured model's handling of context names it does not know: the warning logged once per name, the metric, the error text.</summary>
internal sealed class UnknownFeatureGuard(string model, UnknownFeatureHandling handling, ILogger logger, ModelMetrics? metrics)
{
    private const int MaxRemembered = 1024;
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);

    public UnknownFeatureHandling Handling { get; } = handling;

    /// <summary>Counts the unknown names and logs each one the first time this model sees it (up to 1024 names; then silently counted).</summary>
    public void Warn(FeatureEncoder encoder, PredictionContext context, in EncodeReport report)
    {
        metrics?.UnknownFeatures(model, report.Unknown);
        if (report.Unknown == 1 && _warned.ContainsKey(report.FirstUnknown!))
        {
            return;
        }

        foreach (var name in encoder.UnknownNames(context))
        {
            if (_warned.Count < MaxRemembered && _warned.TryAdd(name, 0))
            {
                ModelLog.UnknownFeature(logger, model, NameSuggestions.Shorten(name), NameSuggestions.DidYouMean(name, encoder.InputNames), List(encoder.InputNames));
            }
        }
    }

    /// <summary>The <see cref="UnknownFeatureHandling.Throw"/> message: every unknown name, with a "did you mean", and the model's features.</summary>
    public string Describe(FeatureEncoder encoder, PredictionContext context)
    {
        var unknown = encoder.UnknownNames(context);
        var names = string.Join(", ", unknown.Take(20).Select(n => $"'{NameSuggestions.Shorten(n)}'{NameSuggestions.DidYouMean(n, encoder.InputNames)}")) + (unknown.Count > 20 ? $" and {unknown.Count - 20} more" : "");
        return $"Model '{model}' does not know the context feature{(unknown.Count == 1 ? "" : "s")} {names}; its features are {List(encoder.InputNames)} (ModelOptions.UnknownFeatures is Throw).";
    }

    /// <summary>Lists up to 20 names, then how many more.</summary>
    public static string List(IReadOnlyList<string> names) =>
        names.Count <= 20 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(20))} and {names.Count - 20} more";
}
