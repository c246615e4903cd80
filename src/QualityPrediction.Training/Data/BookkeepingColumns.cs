namespace QualityPrediction.Training.Data;

/// <summary>
/// Columns that describe how a row was recorded rather than the context a prediction is made in: ids, timestamps, selection
/// probabilities, weights, sources and model versions. They are never model features: at serving time a context does not carry
/// them (a model trained on <c>selectionProbability</c> learns the logging policy and meets a column that is never there).
/// Weight and propensity columns become row weights through <see cref="RowWeights.Apply"/> first.
/// </summary>
public static class BookkeepingColumns
{
    /// <summary>Gets the names treated as bookkeeping, compared case-insensitively.</summary>
    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "id", "rowId", "row_id", "predictionId", "prediction_id", "outcomeId", "outcome_id", "requestId", "request_id",
        "timestamp", "createdAt", "created_at", "recordedAt", "recorded_at", "observedAt", "observed_at", "predictedAt", "predicted_at",
        "selectionProbability", "selection_probability", "propensity", "weight", "sampleWeight", "sample_weight",
        "source", "predictionSource", "modelVersion", "model_version", "modelName", "model_name", "position", "watermark",
    };

    /// <summary>Tells whether a column is bookkeeping.</summary>
    /// <param name="name">The column name.</param>
    /// <returns><see langword="true"/> when <paramref name="name"/> is one of <see cref="Names"/>.</returns>
    public static bool IsBookkeeping(string name) => name is not null && Names.Contains(name);

    /// <summary>Takes the bookkeeping columns out of the features, listing each in <see cref="TrainingData.IgnoredFields"/>.</summary>
    /// <param name="data">The data (after <see cref="RowWeights.Apply"/>, which may use some of them as weights).</param>
    /// <returns>The data without them; <paramref name="data"/> itself when it has none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    public static TrainingData Remove(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var removed = data.Columns.Where(c => IsBookkeeping(c.Name)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        if (removed.Count == 0)
        {
            return data;
        }

        var contexts = new PredictionContext[data.Count];
        for (var i = 0; i < data.Count; i++)
        {
            var context = data.Contexts[i].Clone();
            foreach (var name in removed)
            {
                context.Remove(name);
            }

            contexts[i] = context;
        }

        return new TrainingData(data.Target, contexts, data.Targets, data.Locations, [.. data.Columns.Where(c => !removed.Contains(c.Name))])
        {
            Sources = data.Sources,
            Sha256 = data.Sha256,
            RowKeys = data.RowKeys,
            SkippedRows = data.SkippedRows,
            IgnoredFields = [.. data.IgnoredFields, .. removed.Order(StringComparer.Ordinal).Select(Describe)],
            ReadWarnings = data.ReadWarnings,
            Weights = data.Weights,
            WeightSource = data.WeightSource,
        };
    }

    private static string Describe(string name) =>
        name.Contains("probab", StringComparison.OrdinalIgnoreCase) || name.Equals("propensity", StringComparison.OrdinalIgnoreCase)
            ? $"{name}: bookkeeping, never a feature (--propensity {name} weights the rows by it)"
            : name.Contains("weight", StringComparison.OrdinalIgnoreCase)
                ? $"{name}: bookkeeping, never a feature (--weight {name} weights the rows by it)"
                : $"{name}: bookkeeping, never a feature";
}
