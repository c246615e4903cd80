namespace QualityPrediction;

/// <summary>
/// The names of the meter, instruments and tags this library publishes. Listen with
/// <c>OpenTelemetry</c>'s <c>AddMeter(QualityPredictionInstruments.MeterName)</c> or <c>dotnet-counters</c>.
/// </summary>
/// <remarks>Metrics are recorded only by predictors created through dependency injection (which supplies an <see cref="System.Diagnostics.Metrics.IMeterFactory"/>) or given a meter factory explicitly.</remarks>
public static class QualityPredictionInstruments
{
    /// <summary>The meter name: <c>QualityPrediction</c>.</summary>
    public const string MeterName = "QualityPrediction";

    /// <summary>Counter of predictions returned, tagged with <see cref="SourceTag"/> and <see cref="PredictorTag"/>.</summary>
    public const string Predictions = "quality_prediction.predictions";

    /// <summary>Histogram of the time to produce one prediction, in seconds, tagged with <see cref="PredictorTag"/>.</summary>
    public const string Duration = "quality_prediction.duration";

    /// <summary>Counter of member calls that did not answer (so the ensemble fell back), tagged with <see cref="PredictorTag"/>, <see cref="MemberTag"/> and <see cref="ErrorTypeTag"/>.</summary>
    public const string Fallbacks = "quality_prediction.fallbacks";

    /// <summary>Tag: the <see cref="PredictionSource"/> that answered, in lower case as in the JSON of a result (<c>model</c>, <c>heuristic</c>, <c>ensemble</c>, <c>default</c>); the same tag on every instrument that has it.</summary>
    public const string SourceTag = "quality_prediction.source";

    /// <summary>Tag: the name of a model (the monitor's outcomes counter, rolling gauges and drift gauge; empty for a heuristic).</summary>
    public const string ModelNameTag = "quality_prediction.model.name";

    /// <summary>Tag: the version of the model that answered (the monitor's outcomes counter and rolling gauges; empty for a heuristic).</summary>
    public const string ModelVersionTag = "quality_prediction.model.version";

    /// <summary>Tag: the name of the composed predictor.</summary>
    public const string PredictorTag = "quality_prediction.predictor";

    /// <summary>Tag: the ensemble member that fell back.</summary>
    public const string MemberTag = "quality_prediction.member";

    /// <summary>Tag: why a member fell back: its <see cref="MemberStatus"/> (<c>Failed</c>, <c>TimedOut</c>, <c>CircuitOpen</c>, <c>NotLoaded</c>); on a span, the exception type when the operation failed.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>The counter of context feature names a model did not know (<see cref="Models.ModelOptions.UnknownFeatures"/>), tagged with <see cref="ModelNameTag"/>.</summary>
    public const string UnknownFeatures = "quality_prediction.unknown_features";

    /// <summary>The counter of model load attempts, tagged with <see cref="ModelNameTag"/> and, for failures, <see cref="ErrorTypeTag"/>.</summary>
    public const string ModelLoads = "quality_prediction.model.loads";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: <c>QualityPrediction</c> (listen with OpenTelemetry's <c>AddSource(QualityPredictionInstruments.ActivitySourceName)</c>). Nothing is recorded while nobody listens.</summary>
    public const string ActivitySourceName = "QualityPrediction";

    /// <summary>Span of one prediction of a composed predictor (tags <see cref="PredictorTag"/>, <see cref="SourceTag"/>, <see cref="ModelNameTag"/>, <see cref="ModelVersionTag"/>, <see cref="FallbackReasonTag"/>).</summary>
    public const string PredictActivity = "quality_prediction.predict";

    /// <summary>Span of one batch of predictions (tags <see cref="PredictorTag"/>, <see cref="BatchSizeTag"/>).</summary>
    public const string PredictBatchActivity = "quality_prediction.predict_batch";

    /// <summary>Span of one load or reload of a model member (tags <see cref="ModelNameTag"/>, <see cref="ModelVersionTag"/>, <see cref="ReloadTag"/>, <see cref="ErrorTypeTag"/> on failure).</summary>
    public const string ModelLoadActivity = "quality_prediction.model.load";

    /// <summary>Tag: why the members before the one that answered did not (the first one's <see cref="MemberStatus"/>); absent when the first member answered.</summary>
    public const string FallbackReasonTag = "quality_prediction.fallback.reason";

    /// <summary>Tag: the number of contexts in a batch.</summary>
    public const string BatchSizeTag = "quality_prediction.batch.size";

    /// <summary>Tag: whether a model load replaced a live version (<see langword="true"/>) or was the first load.</summary>
    public const string ReloadTag = "quality_prediction.model.reload";
}
