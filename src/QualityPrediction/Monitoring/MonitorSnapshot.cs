namespace QualityPrediction.Monitoring;

/// <summary>What the <see cref="QualityMonitor"/> knows at one moment.</summary>
/// <param name="Timestamp">When the snapshot was taken.</param>
/// <param name="Predictions">Predictions observed since start.</param>
/// <param name="Outcomes">Outcomes matched to a prediction since start.</param>
/// <param name="UnmatchedOutcomes">Outcomes reported by an id the monitor did not remember (never seen, already reported, or forgotten).</param>
/// <param name="Metrics">The rolling error metrics, one entry per (model name, model version, source).</param>
/// <param name="Drift">The drift of each monitored feature of each model version that serves (or was registered by hand) against its training statistics.</param>
/// <param name="Recent">What answered the recent predictions the health check looks at.</param>
public sealed record MonitorSnapshot(
    DateTimeOffset Timestamp,
    long Predictions,
    long Outcomes,
    long UnmatchedOutcomes,
    IReadOnlyList<RollingMetrics> Metrics,
    IReadOnlyList<FeatureDrift> Drift,
    RecentPredictions Recent);

/// <summary>Rolling error metrics of one model name, model version and source.</summary>
/// <param name="ModelName">The model name the answers carried (<see cref="QualityPredictionResult.ModelName"/>; empty when none).</param>
/// <param name="ModelVersion">The model version (empty when the answer had none, e.g. a heuristic).</param>
/// <param name="Source">Which kind of predictor answered.</param>
/// <param name="Count">Outcomes in the window.</param>
/// <param name="Total">Outcomes since start.</param>
/// <param name="MeanAbsoluteError">The mean |observed − predicted| over the window; <see langword="null"/> when the window is empty.</param>
/// <param name="Accuracy">The share of the window with |observed − predicted| ≤ <paramref name="Tolerance"/>; <see langword="null"/> when the window is empty.</param>
/// <param name="Tolerance">The tolerance used for <paramref name="Accuracy"/>.</param>
public sealed record RollingMetrics(
    string ModelName,
    string ModelVersion,
    PredictionSource Source,
    int Count,
    long Total,
    double? MeanAbsoluteError,
    double? Accuracy,
    double Tolerance);

/// <summary>The drift of one feature against a model's training statistics.</summary>
/// <param name="ModelName">The model, as its answers name it (a predictor's or ensemble member's name), whose manifest gave the statistics.</param>
/// <param name="ModelVersion">Its version.</param>
/// <param name="Feature">The feature name.</param>
/// <param name="Kind">Numeric (PSI over the histogram bins) or categorical (PSI over category shares, unknown categories in a bin of their own).</param>
/// <param name="Samples">Values of the feature in the drift window (missing values are not counted).</param>
/// <param name="Psi">The population stability index; <see langword="null"/> until the window holds <see cref="QualityMonitorOptions.MinDriftSamples"/> values.</param>
public sealed record FeatureDrift(string ModelName, string ModelVersion, string Feature, FeatureKind Kind, int Samples, double? Psi);

/// <summary>What answered the recent predictions (those within the health window).</summary>
/// <param name="Count">Predictions in the window.</param>
/// <param name="Model">Answered by a model.</param>
/// <param name="Heuristic">Answered by a heuristic.</param>
/// <param name="Ensemble">Answered by several members combined.</param>
/// <param name="Default">Answered by the default score: nothing could answer.</param>
/// <param name="OnFallback">Answered while a model member failed, timed out, had its circuit open or was not loaded, or by the default.</param>
/// <param name="NotLoaded">The model members that were not loaded in the latest prediction.</param>
public sealed record RecentPredictions(int Count, int Model, int Heuristic, int Ensemble, int Default, int OnFallback, IReadOnlyList<string> NotLoaded);
