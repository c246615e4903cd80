using QualityPrediction.Feedback.Internal;
using QualityPrediction.Monitoring;

namespace QualityPrediction.Feedback;

/// <summary>One prediction as kept by a feedback store: what was scored, what was answered, by whom and when.</summary>
/// <remarks>Records are immutable; <see cref="PredictionId"/> identifies a record, and stores keep the first record written for an id.</remarks>
public sealed record PredictionRecord
{
    /// <summary>Gets the prediction's identifier (<see cref="QualityPredictionResult.PredictionId"/>).</summary>
    public required Guid PredictionId { get; init; }

    /// <summary>Gets the name of the composed predictor that answered (empty for the default one).</summary>
    public string Predictor { get; init; } = "";

    /// <summary>Gets the context's features, by name.</summary>
    public required IReadOnlyDictionary<string, FeatureValue> Features { get; init; }

    /// <summary>Gets the predicted score.</summary>
    public required double Score { get; init; }

    /// <summary>Gets the confidence returned with the score.</summary>
    public double Confidence { get; init; }

    /// <summary>Gets which kind of predictor answered.</summary>
    public PredictionSource Source { get; init; }

    /// <summary>Gets the name of the model that answered, when known.</summary>
    public string? ModelName { get; init; }

    /// <summary>Gets the version of the model that answered, when known.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Gets when the prediction was made.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the probability with which a ranking policy selected this prediction, when one did.</summary>
    public double? SelectionProbability { get; init; }

    /// <summary>Creates a record from a prediction, copying the context's features.</summary>
    /// <param name="predictorName">The composed predictor's name (as passed to <see cref="IPredictionObserver.OnPrediction"/>).</param>
    /// <param name="context">The scored context.</param>
    /// <param name="result">The result.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="result"/> has no prediction id (<see cref="Guid.Empty"/>).</exception>
    public static PredictionRecord FromPrediction(string predictorName, PredictionContext context, QualityPredictionResult result)
    {
        ArgumentNullException.ThrowIfNull(predictorName);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        if (result.PredictionId == Guid.Empty)
        {
            throw new ArgumentException("The result has no prediction id (Guid.Empty); a feedback record needs one to match its outcome.", nameof(result));
        }

        return new PredictionRecord
        {
            PredictionId = result.PredictionId,
            Predictor = predictorName,
            Features = new FeatureSnapshot(context), // a copy: the caller may change the context afterwards
            Score = result.Score,
            Confidence = result.Confidence,
            Source = result.Source,
            ModelName = result.ModelName,
            ModelVersion = result.ModelVersion,
            Timestamp = result.Timestamp,
            SelectionProbability = result.SelectionProbability,
        };
    }
}
