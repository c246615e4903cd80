using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QualityPrediction.Internal;
using QualityPrediction.Models;
using QualityPrediction.Monitoring.Internal;

namespace QualityPrediction.Monitoring;

/// <summary>
/// Watches predictions and their observed outcomes: rolling error per model version and source, feature drift against
/// the training statistics of registered models, and the health that follows from them.
/// </summary>
/// <remarks>
/// <para>As an <see cref="IPredictionObserver"/> it sees every prediction: it remembers the latest
/// <see cref="QualityMonitorOptions.RecentPredictionCapacity"/> of them (oldest forgotten first) so an outcome reported
/// by prediction id can be matched, adds the context to the drift window, and notes what answered for the health check.</para>
/// <para>Rolling metrics are count-based: each (model version, source) keeps its latest
/// <see cref="QualityMonitorOptions.WindowSize"/> absolute errors; with <see cref="QualityMonitorOptions.WindowDuration"/> set,
/// older ones are left out too. Time comes from the <see cref="TimeProvider"/>.</para>
/// <para>Published through the <c>QualityPrediction</c> meter: the <see cref="OutcomesCounterName"/> counter and the
/// <see cref="RollingMaeGaugeName"/>, <see cref="RollingAccuracyGaugeName"/> and <see cref="DriftPsiMaxGaugeName"/> gauges.
/// Thread-safe.</para>
/// </remarks>
public sealed class QualityMonitor : IPredictionObserver
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "QualityPrediction";

    /// <summary>The counter of outcomes matched to a prediction (tags <c>model.version</c>, <c>prediction.source</c>).</summary>
    public const string OutcomesCounterName = "quality_prediction.outcomes";

    /// <summary>The gauge of the rolling mean absolute error (tags <c>model.version</c>, <c>prediction.source</c>).</summary>
    public const string RollingMaeGaugeName = "quality_prediction.rolling_mae";

    /// <summary>The gauge of the rolling share of outcomes within tolerance (tags <c>model.version</c>, <c>prediction.source</c>).</summary>
    public const string RollingAccuracyGaugeName = "quality_prediction.rolling_accuracy";

    /// <summary>The gauge of the largest feature PSI against a model's training statistics (tags <c>model.name</c>, <c>model.version</c>).</summary>
    public const string DriftPsiMaxGaugeName = "quality_prediction.drift.psi_max";

    private readonly QualityMonitorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RecentPredictionMap _recent;
    private readonly ConcurrentDictionary<(string Version, PredictionSource Source), RollingWindow> _windows = new();
    private readonly ConcurrentDictionary<(string Name, string Version), DriftTracker> _drift = new();
    private readonly ConcurrentDictionary<string, double> _tolerances = new(StringComparer.Ordinal);
    private readonly HealthRing _health;
    private readonly ConcurrentDictionary<string, ModelStatus> _models = new(StringComparer.Ordinal);
    private readonly List<Func<IEnumerable<ModelStatus>>> _statusSources = [];
    private readonly Counter<long>? _outcomesCounter;
    private long _predictions;
    private long _outcomes;
    private long _unmatched;

    /// <summary>Creates a monitor.</summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>QualityPrediction</c> meter; no metrics when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A window size or capacity is below 1, or the tolerance is not positive.</exception>
    public QualityMonitor(QualityMonitorOptions options, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WindowSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RecentPredictionCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DriftWindowSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HealthWindowSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Tolerance, 0, nameof(options));
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _recent = new RecentPredictionMap(options.RecentPredictionCapacity);
        _health = new HealthRing(options.HealthWindowSize);

        if (meterFactory is not null)
        {
            var meter = meterFactory.Create(MeterName);
            _outcomesCounter = meter.CreateCounter<long>(OutcomesCounterName, "{outcome}", "Observed outcomes matched to a prediction.");
            meter.CreateObservableGauge(RollingMaeGaugeName, () => ObserveMetrics(m => m.MeanAbsoluteError), null, "Rolling mean absolute error of predictions against observed outcomes.");
            meter.CreateObservableGauge(RollingAccuracyGaugeName, () => ObserveMetrics(m => m.Accuracy), null, "Rolling share of predictions within the tolerance of the observed outcome.");
            meter.CreateObservableGauge(DriftPsiMaxGaugeName, ObserveDrift, null, "Largest population stability index of a feature against the model's training statistics.");
        }
    }

    /// <summary>Registers a model's manifest: its features' training statistics become a drift baseline, and its target tolerance is used for that version's accuracy.</summary>
    /// <param name="manifest">The manifest; a manifest of the same name and version replaces the earlier one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="manifest"/> is <see langword="null"/>.</exception>
    public void RegisterModel(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _drift[(manifest.Name, manifest.Version)] = new DriftTracker(manifest, _options.DriftWindowSize);
        if (manifest.Target is { Tolerance: > 0 } target && !string.IsNullOrEmpty(manifest.Version))
        {
            _tolerances[manifest.Version] = target.Tolerance;
        }
    }

    /// <summary>Reports a model member's load state (e.g. from the model predictor's load event): a failed load makes health Degraded, and a live model's manifest is registered as with <see cref="RegisterModel"/>.</summary>
    /// <param name="status">The member's status; a later status of the same <see cref="ModelStatus.Name"/> replaces it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="status"/> is <see langword="null"/>.</exception>
    public void ReportModelStatus(ModelStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _models[status.Name] = status;
        if (status.IsLive && status.Manifest is { } manifest && !_drift.ContainsKey((manifest.Name, manifest.Version)))
        {
            RegisterModel(manifest);
        }
    }

    /// <summary>Adds a source of model statuses (e.g. the model predictor factory's predictors) that is read at every snapshot and health check, as if each status were passed to <see cref="ReportModelStatus"/>.</summary>
    /// <param name="source">Returns the current statuses; an exception it throws is ignored.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public void AddModelStatusSource(Func<IEnumerable<ModelStatus>> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_statusSources)
        {
            _statusSources.Add(source);
        }
    }

    /// <inheritdoc />
    /// <remarks>Remembers the prediction for outcome matching, adds its context to the drift windows and notes its source for health. Never throws.</remarks>
    public void OnPrediction(string predictorName, PredictionContext context, QualityPredictionResult result)
    {
        if (context is null || result is null)
        {
            return;
        }

        Interlocked.Increment(ref _predictions);
        if (result.PredictionId != Guid.Empty)
        {
            _recent.Add(result.PredictionId, new RecentPredictionMap.Entry(result.Score, result.Source, result.ModelVersion));
        }

        foreach (var tracker in _drift.Values)
        {
            tracker.Observe(context);
        }

        _health.Add(result, _timeProvider.GetUtcNow());
    }

    /// <summary>Reports the observed quality of a prediction by its id.</summary>
    /// <param name="predictionId">The <see cref="QualityPredictionResult.PredictionId"/>.</param>
    /// <param name="observed">The observed quality, in the target's scale.</param>
    /// <returns><see langword="true"/> when the prediction was remembered and the outcome counted; <see langword="false"/> when the id is unknown, already reported or forgotten (counted in <see cref="MonitorSnapshot.UnmatchedOutcomes"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="observed"/> is NaN or infinite.</exception>
    public bool ReportOutcome(Guid predictionId, double observed)
    {
        ThrowIfNotFinite(observed);
        if (!_recent.TryTake(predictionId, out var entry))
        {
            Interlocked.Increment(ref _unmatched);
            return false;
        }

        Record(entry.Score, entry.Source, entry.ModelVersion, observed);
        return true;
    }

    /// <summary>Reports the observed quality of a prediction given its result (for predictions the monitor did not see, or forgot).</summary>
    /// <param name="result">The prediction's result: its score, source and model version are used.</param>
    /// <param name="observed">The observed quality, in the target's scale.</param>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="observed"/> is NaN or infinite.</exception>
    public void ReportOutcome(QualityPredictionResult result, double observed)
    {
        ArgumentNullException.ThrowIfNull(result);
        ThrowIfNotFinite(observed);
        if (result.PredictionId != Guid.Empty)
        {
            _recent.TryTake(result.PredictionId, out _);
        }

        Record(result.Score, result.Source, result.ModelVersion, observed);
    }

    /// <summary>Takes a snapshot of the metrics, drift and recent sources.</summary>
    /// <returns>The snapshot.</returns>
    public MonitorSnapshot GetSnapshot()
    {
        RefreshModelStatuses();
        var now = _timeProvider.GetUtcNow();
        DateTimeOffset? notBefore = _options.WindowDuration is { } duration ? now - duration : null;
        var metrics = _windows
            .Select(pair =>
            {
                var tolerance = ToleranceOf(pair.Key.Version);
                var (count, total, mae, accuracy) = pair.Value.Compute(tolerance, notBefore);
                return new RollingMetrics(pair.Key.Version, pair.Key.Source, count, total, mae, accuracy, tolerance);
            })
            .OrderBy(m => m.ModelVersion, StringComparer.Ordinal)
            .ThenBy(m => m.Source)
            .ToList();
        var drift = _drift.Values
            .SelectMany(t => t.Compute(_options.MinDriftSamples))
            .OrderBy(d => d.ModelName, StringComparer.Ordinal)
            .ThenBy(d => d.ModelVersion, StringComparer.Ordinal)
            .ThenBy(d => d.Feature, StringComparer.Ordinal)
            .ToList();
        return new MonitorSnapshot(
            now,
            Interlocked.Read(ref _predictions),
            Interlocked.Read(ref _outcomes),
            Interlocked.Read(ref _unmatched),
            metrics,
            drift,
            _health.Summarize(now - _options.HealthWindowDuration));
    }

    /// <summary>Judges health from a fresh snapshot.</summary>
    /// <returns>
    /// <see cref="HealthStatus.Unhealthy"/> when every recent prediction was answered by the default score (nothing can answer);
    /// <see cref="HealthStatus.Degraded"/> when a model is not loaded, the share of recent predictions on a fallback is above
    /// <see cref="QualityMonitorOptions.MaxFallbackShare"/>, or the rolling error, accuracy or drift is past its threshold;
    /// otherwise <see cref="HealthStatus.Healthy"/>. The data dictionary holds the figures behind the verdict.
    /// </returns>
    public HealthCheckResult CheckHealth()
    {
        var snapshot = GetSnapshot();
        var recent = snapshot.Recent;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["recentPredictions"] = recent.Count,
            ["recentDefault"] = recent.Default,
            ["recentOnFallback"] = recent.OnFallback,
            ["outcomes"] = snapshot.Outcomes,
        };
        if (recent.Count > 0 && recent.Default == recent.Count)
        {
            return HealthCheckResult.Unhealthy($"Nothing can answer: all {recent.Count} recent predictions returned the default score.", data: data);
        }

        var problems = new List<string>();
        foreach (var model in _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (model.State == ModelLoadState.Failed)
            {
                problems.Add($"model '{model.Name}' failed to load ({model.LastError})");
            }
            else if (model.State == ModelLoadState.Degraded)
            {
                problems.Add($"model '{model.Name}' failed to reload and still serves version {model.Version} ({model.LastError})");
            }
        }

        if (recent.NotLoaded.Count > 0)
        {
            problems.Add($"model not loaded: {string.Join(", ", recent.NotLoaded)}");
        }

        if (recent.Count > 0)
        {
            var share = (double)recent.OnFallback / recent.Count;
            data["fallbackShare"] = share;
            if (share > _options.MaxFallbackShare)
            {
                problems.Add($"running on fallback: {recent.OnFallback} of {recent.Count} recent predictions ({share:P0}), above {_options.MaxFallbackShare:P0}");
            }
        }

        foreach (var metric in snapshot.Metrics.Where(m => m.Count >= _options.MinOutcomes))
        {
            var key = $"{metric.Source.ToString().ToLowerInvariant()}{(metric.ModelVersion.Length > 0 ? " " + metric.ModelVersion : "")}";
            data[$"mae[{key}]"] = metric.MeanAbsoluteError!.Value;
            data[$"accuracy[{key}]"] = metric.Accuracy!.Value;
            if (_options.MaxMeanAbsoluteError is { } maxMae && metric.MeanAbsoluteError > maxMae)
            {
                problems.Add($"rolling MAE of {key} is {metric.MeanAbsoluteError:0.###} over {metric.Count} outcomes, above {maxMae}");
            }

            if (_options.MinAccuracy is { } minAccuracy && metric.Accuracy < minAccuracy)
            {
                problems.Add($"rolling accuracy of {key} is {metric.Accuracy:P1} over {metric.Count} outcomes, below {minAccuracy:P1}");
            }
        }

        if (snapshot.Drift.Where(d => d.Psi is not null).MaxBy(d => d.Psi) is { } worst)
        {
            data["driftPsiMax"] = worst.Psi!.Value;
            if (_options.MaxDriftPsi is { } maxPsi && worst.Psi > maxPsi)
            {
                problems.Add($"feature '{worst.Feature}' drifted from model {worst.ModelName} {worst.ModelVersion}: PSI {worst.Psi:0.###}, above {maxPsi}");
            }
        }

        return problems.Count > 0
            ? HealthCheckResult.Degraded(string.Join("; ", problems) + ".", data: data)
            : HealthCheckResult.Healthy(recent.Count == 0 ? "No recent predictions." : $"{recent.Count} recent predictions, {snapshot.Outcomes} outcomes.", data);
    }

    private void RefreshModelStatuses()
    {
        Func<IEnumerable<ModelStatus>>[] sources;
        lock (_statusSources)
        {
            sources = [.. _statusSources];
        }

        foreach (var source in sources)
        {
            try
            {
                foreach (var status in source())
                {
                    ReportModelStatus(status);
                }
            }
#pragma warning disable CA1031 // A status source must never break a snapshot or a health check.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private static void ThrowIfNotFinite(double observed)
    {
        if (!double.IsFinite(observed))
        {
            throw new ArgumentException($"The observed quality must be a finite number, not {observed}.", nameof(observed));
        }
    }

    private double ToleranceOf(string version) =>
        _tolerances.TryGetValue(version, out var tolerance) ? tolerance : _options.Tolerance;

    private void Record(double score, PredictionSource source, string? modelVersion, double observed)
    {
        var version = modelVersion ?? "";
        var window = _windows.GetOrAdd((version, source), static (_, size) => new RollingWindow(size), _options.WindowSize);
        window.Add(Math.Abs(observed - score), _timeProvider.GetUtcNow());
        Interlocked.Increment(ref _outcomes);
        if (_outcomesCounter is { Enabled: true } counter)
        {
            counter.Add(1, new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelVersionTag, version), new KeyValuePair<string, object?>(QualityPredictionInstruments.SourceTag, QualityPredictionMetrics.SourceTagValue(source)));
        }
    }

    private IEnumerable<Measurement<double>> ObserveMetrics(Func<RollingMetrics, double?> select)
    {
        foreach (var metric in GetSnapshot().Metrics)
        {
            if (select(metric) is { } value)
            {
                yield return new Measurement<double>(
                    value,
                    new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelVersionTag, metric.ModelVersion),
                    new KeyValuePair<string, object?>(QualityPredictionInstruments.SourceTag, QualityPredictionMetrics.SourceTagValue(metric.Source)));
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveDrift()
    {
        foreach (var tracker in _drift.Values)
        {
            var max = tracker.Compute(_options.MinDriftSamples).Select(d => d.Psi).Where(p => p is not null).DefaultIfEmpty(null).Max();
            if (max is { } psi)
            {
                yield return new Measurement<double>(
                    psi,
                    new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelNameTag, tracker.ModelName),
                    new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelVersionTag, tracker.ModelVersion));
            }
        }
    }
}
