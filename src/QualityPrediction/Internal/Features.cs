using System.Globalization;

namespace QualityPrediction.Internal;

/// <summary>Reads features of the expected kind from a context, throwing a clear error for a value of the wrong kind.</summary>
internal static class Features
{
    /// <summary>Gets a categorical feature; <see langword="null"/> when absent.</summary>
    /// <exception cref="ArgumentException">The feature is present but numeric.</exception>
    public static string? GetCategory(PredictionContext context, string name, string predictor)
    {
        if (!context.TryGetValue(name, out var value))
        {
            return null;
        }

        return value.Category ?? throw WrongKind(name, predictor, FeatureKind.Categorical, value);
    }

    /// <summary>Gets a numeric feature; <see langword="false"/> when absent.</summary>
    /// <exception cref="ArgumentException">The feature is present but categorical.</exception>
    public static bool TryGetNumber(PredictionContext context, string name, string predictor, out double number)
    {
        if (!context.TryGetValue(name, out var value))
        {
            number = 0;
            return false;
        }

        if (value.Kind != FeatureKind.Numeric)
        {
            throw WrongKind(name, predictor, FeatureKind.Numeric, value);
        }

        number = value.Number;
        return true;
    }

    public static ArgumentException WrongKind(string name, string predictor, FeatureKind expected, FeatureValue actual) =>
        new(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Feature '{name}' must be {(expected == FeatureKind.Numeric ? "numeric" : "categorical")} for predictor '{predictor}', but it is {(actual.Kind == FeatureKind.Numeric ? "numeric" : "categorical")} ('{actual}')."),
            "context");

    /// <summary>Validates the arguments of a batch call.</summary>
    public static void CheckBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results)
    {
        if (results.Length < contexts.Length)
        {
            throw new ArgumentException($"The results span ({results.Length}) is shorter than the contexts span ({contexts.Length}).", nameof(results));
        }

        for (var i = 0; i < contexts.Length; i++)
        {
            if (contexts[i] is null)
            {
                throw new ArgumentNullException(nameof(contexts), $"The context at index {i} is null.");
            }
        }
    }

    /// <summary>The batch path of a predictor whose single-row path is synchronous and cheap: validate, then predict row by row.</summary>
    public static void PredictEach(IQualityPredictor predictor, ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken)
    {
        CheckBatch(contexts, results);
        for (var i = 0; i < contexts.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results[i] = predictor.Predict(contexts[i]);
        }
    }

    /// <summary>The async path of a predictor whose single-row path is synchronous and cheap.</summary>
    public static ValueTask<QualityPredictionResult> PredictNow(IQualityPredictor predictor, PredictionContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(predictor.Predict(context));
    }
}
