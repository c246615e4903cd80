using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QualityPrediction.Internal;
using QualityPrediction.Models;
using QualityPrediction.Monitoring.Internal;

namespace QualityPrediction.Monitoring;

/// <summary>
/// Watches predictions and their observed outcomes: rolling error per (model name, model version, source), feature drift
/// of each served model version against its training statistics, and the health that follows from them.
/// </summary>
/// <remarks>
/// <para>As an <see cref="IPredictionObserver"/> it sees every prediction: it remembers the latest
/// <see cref="QualityMonitorOptions.RecentPredictionCapacity"/> of them (oldest forgotten first) so an outcome reported
/// by prediction id can be matched, adds the context to the drift window of each model version that scored it (the
/// answering model, and every model member of an ensemble), and notes what answered for the health check.</para>
/// <para><b>Keys.</b> A model is named as results name it (<see cref="QualityPredictionResult.ModelName"/>, an ensemble
/// member's <see cref="EnsembleMemberResult.Name"/>): rolling windows are kept per (model name, model version, source),
/// drift trackers and manifest tolerances per (model name, model version). Two models that both serve a version
/// <c>0001</c> never share a window, a tolerance or a drift baseline.</para>
/// <para><b>What serves now.</b> A model whose status is known (<see cref="ReportModelStatus"/> or a status source) serves
/// exactly its live version: when it moves to another version (a hot reload) or has none live, the trackers, tolerances
/// and rolling windows of its other versions are retired at once (outcomes that arrive later for a retired version are
/// counted in <see cref="MonitorSnapshot.Outcomes"/> but join no window), so health reflects what serves now and the
/// cost of a prediction does not grow with the number of versions ever loaded. Versions registered by hand with
/// <see cref="RegisterModel"/> stay until <see cref="UnregisterModel"/>.</para>
/// <para>Rolling metrics are count-based: each key keeps its latest <see cref="QualityMonitorOptions.WindowSize"/>
/// absolute errors; with <see cref="QualityMonitorOptions.WindowDuration"/> set, older ones are left out too. Time comes
/// from the <see cref="TimeProvider"/>.</para>
/// <para>Published through the <c>QualityPrediction</c> meter: the <see cref="OutcomesCounterName"/> counter and the
/// <see cref="RollingMaeGaugeName"/>, <see cref="RollingAccuracyGaugeName"/> and <see cref="DriftPsiMaxGaugeName"/> gauges.
/// Thread-safe.</para>
/// </remarks>
public sealed class QualityMonitor : IPredictionObserver
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "QualityPrediction";

    /// <summary>The counter of outcomes matched to a prediction (tags <c>model.name</c>, <c>model.version</c>, <c>prediction.source</c>).</summary>
    public const string OutcomesCounterName = "quality_prediction.outcomes";

    /// <summary>The gauge of the rolling mean absolute error (tags <c>model.name</c>, <c>model.version</c>, <c>prediction.source</c>).</summary>
    public const string RollingMaeGaugeName = "quality_prediction.rolling_mae";

    /// <summary>The gauge of the rolling share of outcomes within tolerance (tags <c>model.name</c>, <c>model.version</c>, <c>prediction.source</c>).</summary>
    public const string RollingAccuracyGaugeName = "quality_prediction.rolling_accuracy";

    /// <summary>The gauge of the largest feature PSI of a served model version against its training statistics (tags <c>model.name</c>, <c>model.version</c>).</summary>
    public const string DriftPsiMaxGaugeName = "quality_prediction.drift.psi_max";

    private readonly QualityMonitorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RecentPredictionMap _recent;
    private readonly ConcurrentDictionary<(ModelKey Model, PredictionSource Source), RollingWindow> _windows = new();
    private readonly ConcurrentDictionary<ModelKey, ModelRegistration> _registrations = new();
    private readonly HealthRing _health;
    private readonly ConcurrentDictionary<string, ModelStatus> _models = new(StringComparer.Ordinal);
    private readonly List<Func<IEnumerable<ModelStatus>>> _statusSources = [];
    private readonly Lock _retireLock = new();
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
            meter.CreateObservableGauge(DriftPsiMaxGaugeName, ObserveDriftGauge, null, "Largest population stability index of a feature against the model's training statistics.");
        }
    }

    /// <summary>
    /// Registers a model version by hand: its features' training statistics become the drift baseline of the predictions
    /// that version scores, and its target tolerance is used for that version's accuracy. It stays until
    /// <see cref="UnregisterModel"/> (model statuses register and retire versions by themselves).
    /// </summary>
    /// <param name="manifest">The manifest; a registration of the same model name and version is replaced.</param>
    /// <param name="modelName">The name the model's results carry (<see cref="QualityPredictionResult.ModelName"/>, the
    /// predictor's or ensemble member's name); <see langword="null"/> for the manifest's <see cref="ModelManifest.Name"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="manifest"/> is <see langword="null"/>.</exception>
    public void RegisterModel(ModelManifest manifest, string? modelName = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var key = new ModelKey(modelName ?? manifest.Name ?? "", manifest.Version ?? "");
        _registrations[key] = new ModelRegistration(manifest, key, _options.DriftWindowSize, fromStatus: false);
    }

    /// <summary>Removes a model version's drift baseline, tolerance and rolling windows.</summary>
    /// <param name="modelName">The model name, as results carry it.</param>
    /// <param name="version">The version.</param>
    /// <returns><see langword="true"/> when the version was registered.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public bool UnregisterModel(string modelName, string version)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(version);
        var key = new ModelKey(modelName, version);
        RemoveWindows(key);
        return _registrations.TryRemove(key, out _);
    }

    /// <summary>
    /// Reports a model member's load state (e.g. from the model predictor's load event): a failed load makes health
    /// Degraded; a live model's manifest is registered (drift baseline and tolerance, under the status's
    /// <see cref="ModelStatus.Name"/>); and the member's other versions, which no longer serve, are retired.
    /// </summary>
    /// <param name="status">The member's status; a later status of the same <see cref="ModelStatus.Name"/> replaces it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="status"/> is <see langword="null"/>.</exception>
    public void ReportModelStatus(ModelStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _models[status.Name] = status;
        var serving = ServingVersion(status);
        if (serving is not null && status.Manifest is { } manifest)
        {
            var key = new ModelKey(status.Name, serving);
            if (!_registrations.TryGetValue(key, out var existing) || (existing.FromStatus && existing.LoadedAt != status.LoadedAt))
            {
                _registrations[key] = new ModelRegistration(manifest, key, _options.DriftWindowSize, fromStatus: true, status.LoadedAt);
            }
        }

        Retire(status.Name, serving);
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
    /// <remarks>Remembers the prediction for outcome matching, adds its context to the drift windows of the model versions that scored it and notes its source for health. Never throws.</remarks>
    public void OnPrediction(string predictorName, PredictionContext context, QualityPredictionResult result)
    {
        if (context is null || result is null)
        {
            return;
        }

        Interlocked.Increment(ref _predictions);
        if (result.PredictionId != Guid.Empty)
        {
            _recent.Add(result.PredictionId, new RecentPredictionMap.Entry(result.Score, result.Source, result.ModelName, result.ModelVersion));
        }

        ObserveDrift(context, result);

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

        Record(entry.Score, entry.Source, entry.ModelName, entry.ModelVersion, observed);
        return true;
    }

    /// <summary>Reports the observed quality of a prediction given its result (for predictions the monitor did not see, or forgot).</summary>
    /// <param name="result">The prediction's result: its score, source, model name and model version are used.</param>
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

        Record(result.Score, result.Source, result.ModelName, result.ModelVersion, observed);
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
                var tolerance = ToleranceOf(pair.Key.Model);
                var (count, total, mae, accuracy) = pair.Value.Compute(tolerance, notBefore);
                return new RollingMetrics(pair.Key.Model.Name, pair.Key.Model.Version, pair.Key.Source, count, total, mae, accuracy, tolerance);
            })
            .OrderBy(m => m.ModelName, StringComparer.Ordinal)
            .ThenBy(m => m.ModelVersion, StringComparer.Ordinal)
            .ThenBy(m => m.Source)
            .ToList();
        var drift = _registrations.Values
            .SelectMany(r => r.Drift.Compute(_options.MinDriftSamples))
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
            var key = $"{metric.Source.ToString().ToLowerInvariant()}{(metric.ModelName.Length > 0 ? " " + metric.ModelName : "")}{(metric.ModelVersion.Length > 0 ? " " + metric.ModelVersion : "")}";
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

    private double ToleranceOf(ModelKey model) =>
        _registrations.TryGetValue(model, out var registration) && registration.Tolerance is { } tolerance ? tolerance : _options.Tolerance;

    /// <summary>The version a status says is live, or <see langword="null"/> when none is.</summary>
    private static string? ServingVersion(ModelStatus status) =>
        status.IsLive ? status.Version ?? status.Manifest?.Version : null;

    /// <summary>Whether outcomes of this model version may join a window: not when the model's status says another version (or none) serves.</summary>
    private bool IsRetired(ModelKey model) =>
        model.Version.Length > 0 && _models.TryGetValue(model.Name, out var status) && !string.Equals(ServingVersion(status), model.Version, StringComparison.Ordinal);

    /// <summary>Removes the status-registered versions of a model other than the one serving, and their windows.</summary>
    private void Retire(string modelName, string? serving)
    {
        lock (_retireLock)
        {
            foreach (var (key, registration) in _registrations)
            {
                if (registration.FromStatus && string.Equals(key.Name, modelName, StringComparison.Ordinal) && !string.Equals(key.Version, serving, StringComparison.Ordinal))
                {
                    _registrations.TryRemove(key, out _);
                }
            }

            foreach (var (key, _) in _windows)
            {
                if (key.Model.Version.Length > 0 && string.Equals(key.Model.Name, modelName, StringComparison.Ordinal) && !string.Equals(key.Model.Version, serving, StringComparison.Ordinal)
                    && !(_registrations.TryGetValue(key.Model, out var manual) && !manual.FromStatus))
                {
                    _windows.TryRemove(key, out _);
                }
            }
        }
    }

    private void RemoveWindows(ModelKey model)
    {
        foreach (var (key, _) in _windows)
        {
            if (key.Model == model)
            {
                _windows.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Adds the context to the drift trackers of the answering model version and of every model member of an ensemble answer.</summary>
    private void ObserveDrift(PredictionContext context, QualityPredictionResult result)
    {
        string? observedName = null, observedVersion = null;
        if (result.ModelName is { } name && result.ModelVersion is { } version && _registrations.TryGetValue(new ModelKey(name, version), out var registration))
        {
            registration.Drift.Observe(context);
            (observedName, observedVersion) = (name, version);
        }

        var members = result.Members;
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            if (member.Source == PredictionSource.Model && member.ModelVersion is { } memberVersion
                && !(string.Equals(member.Name, observedName, StringComparison.Ordinal) && string.Equals(memberVersion, observedVersion, StringComparison.Ordinal))
                && _registrations.TryGetValue(new ModelKey(member.Name, memberVersion), out var memberRegistration))
            {
                memberRegistration.Drift.Observe(context);
            }
        }
    }

    private void Record(double score, PredictionSource source, string? modelName, string? modelVersion, double observed)
    {
        var model = new ModelKey(modelName ?? "", modelVersion ?? "");
        Interlocked.Increment(ref _outcomes);
        if (_outcomesCounter is { Enabled: true } counter)
        {
            counter.Add(
                1,
                new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelNameTag, model.Name),
                new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelVersionTag, model.Version),
                new KeyValuePair<string, object?>(QualityPredictionInstruments.SourceTag, QualityPredictionMetrics.SourceTagValue(source)));
        }

        if (IsRetired(model))
        {
            return;
        }

        var window = _windows.GetOrAdd((model, source), static (_, size) => new RollingWindow(size), _options.WindowSize);
        window.Add(Math.Abs(observed - score), _timeProvider.GetUtcNow());
    }

    private IEnumerable<Measurement<double>> ObserveMetrics(Func<RollingMetrics, double?> select)
    {
        foreach (var metric in GetSnapshot().Metrics)
        {
            if (select(metric) is { } value)
            {
                yield return new Measurement<double>(
                    value,
                    new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelNameTag, metric.ModelName),
                    new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelVersionTag, metric.ModelVersion),
                    new KeyValuePair<string, object?>(QualityPredictionInstruments.SourceTag, QualityPredictionMetrics.SourceTagValue(metric.Source)));
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveDriftGauge()
    {
        RefreshModelStatuses();
        foreach (var tracker in _registrations.Values.Select(r => r.Drift))
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
