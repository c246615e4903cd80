using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using QualityPrediction.Ensemble.Internal;
using QualityPrediction.Internal;

namespace QualityPrediction.Ensemble;

/// <summary>
/// Combines several predictors (models first, a heuristic last) and never throws because of a member's fault:
/// each model member runs inside its own Polly circuit breaker under the member timeout (a watchdog cancels the
/// member's token once the call is older than <see cref="EnsembleOptions.MemberTimeout"/>), and a member that fails, times out, has its circuit open or has no model loaded is recorded in
/// <see cref="QualityPredictionResult.Members"/> while the others answer. When nobody answers, the default score
/// answers with <see cref="PredictionSource.Default"/>.
/// </summary>
/// <remarks>
/// <para>Only the caller's own errors throw: a <see langword="null"/> context (<see cref="ArgumentNullException"/>), a
/// context feature a model does not know under <see cref="Models.UnknownFeatureHandling.Throw"/> (<see cref="ArgumentException"/>),
/// and cancellation of the caller's own token. Anything a member throws, <see cref="ArgumentException"/> included, is
/// that member's fault (<see cref="MemberStatus.Failed"/>). A context that a model cannot score (none of its features, or
/// a value of another kind than its live schema) is <see cref="MemberStatus.Declined"/>, and a model with no version live
/// is <see cref="MemberStatus.NotLoaded"/> at once; neither counts for the circuit breaker.</para>
/// <para>Timeouts are cooperative: a member that ignores its token finishes before the ensemble moves on, and its late
/// answer is recorded as <see cref="MemberStatus.TimedOut"/> and not used. A member is cancelled between 1× and 1.25×
/// <see cref="EnsembleOptions.MemberTimeout"/> after it started (a watchdog checks every quarter of the timeout while
/// calls are in flight); a timed-out call counts as a failure for the breaker.</para>
/// <para>Every result gets a fresh <see cref="QualityPredictionResult.PredictionId"/> (a version 7 GUID) and
/// <see cref="QualityPredictionResult.Timestamp"/> from the <see cref="TimeProvider"/>. Thread-safe.</para>
/// </remarks>
public sealed class EnsemblePredictor : IQualityPredictor, IDisposable
{
    private readonly MemberInvoker[] _members;
    private readonly EnsembleStrategy _strategy;
    private readonly ScoreRange _range;
    private readonly double _defaultScore;
    private readonly string _averageBasis;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly QualityPredictionMetrics? _metrics;
    private readonly MemberWatchdog? _watchdog;
    private int _disposed;

    /// <summary>Creates the ensemble.</summary>
    /// <param name="name">The ensemble's name (used in results, logs and metrics).</param>
    /// <param name="members">The members in priority order. The ensemble does not own them (it disposes none of them).</param>
    /// <param name="options">The strategy, member timeout, circuit breaker and default score.</param>
    /// <param name="range">The score range; scores are clamped to it, and a catalog model whose live version scores on another range is <see cref="MemberStatus.Declined"/>.</param>
    /// <param name="timeProvider">The time source for timeouts, the circuit breaker, ids and timestamps; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives fallback and recovery messages; none when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>QualityPrediction</c> meter; metrics are off when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/>, <paramref name="members"/> or <paramref name="options"/> is <see langword="null"/>, or a member is default.</exception>
    /// <exception cref="ArgumentException">The range is invalid, a weight is negative or not finite, or the default score is outside the range.</exception>
    /// <exception cref="KeyNotFoundException">A catalog member names a model its catalog does not have.</exception>
    public EnsemblePredictor(
        string name,
        IEnumerable<EnsembleMember> members,
        EnsembleOptions options,
        ScoreRange range,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.CircuitBreaker, "options.CircuitBreaker");
        range.Validate(nameof(range));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _metrics = meterFactory is null ? null : new QualityPredictionMetrics(meterFactory);
        _range = range;
        _strategy = options.Strategy;
        _defaultScore = options.DefaultScore ?? (range.Min + range.Max) / 2;
        if (!double.IsFinite(_defaultScore) || _defaultScore < range.Min || _defaultScore > range.Max)
        {
            throw new ArgumentException($"EnsembleOptions.DefaultScore ({_defaultScore.ToString(CultureInfo.InvariantCulture)}) must lie within the score range [{range.Min.ToString(CultureInfo.InvariantCulture)}, {range.Max.ToString(CultureInfo.InvariantCulture)}].", nameof(options));
        }

        Name = name;
        var timedOutReason = $"No answer within the member timeout of {options.MemberTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms; the member was cancelled and a late answer is not used.";
        _averageBasis = _strategy == EnsembleStrategy.ConfidenceWeightedAverage ? "confidence-weighted-average" : "weighted-average";
        var list = members.ToList();
        _watchdog = list.Any(m => m.IsModel) ? new MemberWatchdog(options.MemberTimeout, _timeProvider) : null;
        _members = list.Select((m, i) =>
        {
            if (m.Predictor is null && m.Catalog is null)
            {
                throw new ArgumentNullException(nameof(members), $"Member {i} has no predictor or catalog (a default EnsembleMember); create members with EnsembleMember.Model(...) or EnsembleMember.Heuristic(...).");
            }

            if (!double.IsFinite(m.Weight) || m.Weight < 0)
            {
                throw new ArgumentException($"Member {i} ('{m.Name}') has weight {m.Weight.ToString(CultureInfo.InvariantCulture)}; weights must be finite and ≥ 0.", nameof(members));
            }

            var pipeline = m.IsModel && options.CircuitBreaker.Enabled ? BuildPipeline(m.Name, options, _timeProvider) : null;
            return new MemberInvoker(m, pipeline, _watchdog, range, timedOutReason);
        }).ToArray();
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the strategy.</summary>
    public EnsembleStrategy Strategy => _strategy;

    /// <summary>Gets the score range.</summary>
    public ScoreRange Range => _range;

    /// <summary>Gets the members' predictors in priority order (a catalog model member appears as a <see cref="Models.ModelPredictor"/> on its catalog).</summary>
    public IReadOnlyList<IQualityPredictor> Predictors => _members.Select(m => m.Predictor).ToArray();

    /// <summary>Gets the watchdog, for tests.</summary>
    internal MemberWatchdog? Watchdog => _watchdog;

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The ensemble was disposed.</exception>
    public QualityPredictionResult Predict(PredictionContext context)
    {
        using var activity = QualityPredictionTracing.StartPrediction(Name);
        if (activity is null)
        {
            return PredictCore(context, CancellationToken.None);
        }

        try
        {
            var result = PredictCore(context, CancellationToken.None);
            QualityPredictionTracing.Predicted(activity, result);
            return result;
        }
        catch (Exception ex)
        {
            QualityPredictionTracing.Failed(activity, ex);
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The ensemble was disposed.</exception>
    public async ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        using var activity = QualityPredictionTracing.StartPrediction(Name);
        var start = _metrics?.DurationEnabled == true ? _timeProvider.GetTimestamp() : 0;
        var attempts = new Attempt[_members.Length];
        var combiner = new Combiner(_range);
        for (var i = 0; i < _members.Length; i++)
        {
            if (_strategy == EnsembleStrategy.PriorityChain && combiner.HasAnswer)
            {
                attempts[i] = Attempt.NotRun;
                continue;
            }

            try
            {
                attempts[i] = await _members[i].InvokeAsync(context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (activity is not null)
            {
                QualityPredictionTracing.Failed(activity, ex);
                throw;
            }

            Track(_members[i], attempts[i].Status);
            combiner.Add(i, _members[i].Weight, attempts[i]);
        }

        var result = Finish(combiner, attempts, start);
        if (activity is not null)
        {
            QualityPredictionTracing.Predicted(activity, result);
        }

        return result;
    }

    /// <inheritdoc />
    /// <remarks>When every member is healthy, each member scores the batch through its own batch API (the member timeout then applies to the whole call); a member whose batch call fails is retried row by row. Otherwise rows are predicted one at a time.</remarks>
    /// <exception cref="ObjectDisposedException">The ensemble was disposed.</exception>
    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
    {
        Features.CheckBatch(contexts, results);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var activity = QualityPredictionTracing.StartBatch(Name, contexts.Length);
        if (contexts.Length < 2 || !AllHealthy())
        {
            for (var i = 0; i < contexts.Length; i++)
            {
                results[i] = PredictCore(contexts[i], cancellationToken);
            }

            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var start = _metrics?.DurationEnabled == true ? _timeProvider.GetTimestamp() : 0;
        var n = contexts.Length;
        var all = contexts.ToArray();
        var attempts = new Attempt[_members.Length][];
        var answered = new bool[n];
        for (var m = 0; m < _members.Length; m++)
        {
            var member = _members[m];
            attempts[m] = new Attempt[n];
            var rows = new List<int>(n);
            for (var i = 0; i < n; i++)
            {
                if (_strategy != EnsembleStrategy.PriorityChain || !answered[i])
                {
                    rows.Add(i);
                }
                else
                {
                    attempts[m][i] = Attempt.NotRun;
                }
            }

            if (rows.Count == 0)
            {
                continue;
            }

            var subset = rows.Count == n ? all : rows.Select(i => all[i]).ToArray();
            var subsetAttempts = new Attempt[subset.Length];
            if (member.TryBatch(subset, subsetAttempts, cancellationToken))
            {
                Track(member, MemberStatus.Ok);
                for (var j = 0; j < rows.Count; j++)
                {
                    attempts[m][rows[j]] = subsetAttempts[j];
                }
            }
            else
            {
                foreach (var i in rows)
                {
                    attempts[m][i] = member.Invoke(all[i], cancellationToken);
                    Track(member, attempts[m][i].Status);
                }
            }

            foreach (var i in rows)
            {
                answered[i] |= attempts[m][i].IsOk;
            }
        }

        for (var i = 0; i < n; i++)
        {
            var row = new Attempt[_members.Length];
            var combiner = new Combiner(_range);
            for (var m = 0; m < _members.Length; m++)
            {
                row[m] = attempts[m][i];
                if (_strategy == EnsembleStrategy.PriorityChain && combiner.HasAnswer)
                {
                    row[m] = Attempt.NotRun;
                    continue;
                }

                combiner.Add(m, _members[m].Weight, row[m]);
            }

            results[i] = Finish(combiner, row, 0);
        }

        if (start != 0)
        {
            var perRow = _timeProvider.GetElapsedTime(start) / n;
            for (var i = 0; i < n; i++)
            {
                _metrics!.RecordDuration(Name, perRow);
            }
        }
    }

    /// <summary>Stops the member watchdog; the members are not disposed (the ensemble does not own them).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watchdog?.Dispose();
    }

    private static ResiliencePipeline BuildPipeline(string memberName, EnsembleOptions options, TimeProvider timeProvider)
    {
        var breaker = options.CircuitBreaker;
        return new ResiliencePipelineBuilder { Name = "QualityPrediction.Member", InstanceName = memberName, TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception is { } e && e is not (Models.ModelNotLoadedException or OperationCanceledException)),
            })
            .Build();
    }

    private QualityPredictionResult PredictCore(PredictionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var start = _metrics?.DurationEnabled == true ? _timeProvider.GetTimestamp() : 0;
        var attempts = new Attempt[_members.Length];
        var combiner = new Combiner(_range);
        for (var i = 0; i < _members.Length; i++)
        {
            if (_strategy == EnsembleStrategy.PriorityChain && combiner.HasAnswer)
            {
                attempts[i] = Attempt.NotRun;
                continue;
            }

            attempts[i] = _members[i].Invoke(context, cancellationToken);
            Track(_members[i], attempts[i].Status);
            combiner.Add(i, _members[i].Weight, attempts[i]);
        }

        return Finish(combiner, attempts, start);
    }

    private void Track(MemberInvoker member, MemberStatus status)
    {
        if (status != MemberStatus.Ok)
        {
            _metrics?.FellBack(Name, member.Name, status);
        }

        if (Volatile.Read(ref member.LastStatus) == (int)status)
        {
            return;
        }

        var previous = (MemberStatus)Interlocked.Exchange(ref member.LastStatus, (int)status);
        if (previous == MemberStatus.Ok && status != MemberStatus.Ok)
        {
            Log.FallbackEngaged(_logger, Name, member.Name, status);
        }
        else if (previous != MemberStatus.Ok && status == MemberStatus.Ok)
        {
            Log.Recovered(_logger, Name, member.Name);
        }
    }

    private bool AllHealthy()
    {
        foreach (var member in _members)
        {
            if (Volatile.Read(ref member.LastStatus) != (int)MemberStatus.Ok)
            {
                return false;
            }
        }

        return true;
    }

    private QualityPredictionResult Finish(in Combiner combiner, Attempt[] attempts, long start)
    {
        var entries = new EnsembleMemberResult[_members.Length];
        for (var i = 0; i < _members.Length; i++)
        {
            entries[i] = _members[i].Entry(attempts[i]);
        }

        var now = _timeProvider.GetUtcNow();
        var id = PredictionIds.Next(now);
        QualityPredictionResult result;
        if (combiner.HasAnswer && (_strategy == EnsembleStrategy.PriorityChain || combiner.Count == 1))
        {
            var answer = attempts[combiner.First];
            var interval = new PredictionInterval(_range.Clamp(answer.Interval.Lower), _range.Clamp(answer.Interval.Upper), answer.Interval.Coverage);
            if (answer.Model is { } model)
            {
                result = new QualityPredictionResult
                {
                    Score = _range.Clamp(answer.Answer.Score),
                    Confidence = Math.Clamp(answer.Answer.Confidence, 0, 1),
                    ConfidenceKind = answer.Answer.Kind,
                    Interval = interval,
                    Source = PredictionSource.Model,
                    ModelName = _members[combiner.First].Name,
                    ModelVersion = model.Version,
                    FeaturesSupplied = answer.Answer.Supplied,
                    FeaturesExpected = model.FeaturesExpected,
                    Members = entries,
                    PredictionId = id,
                    Timestamp = now,
                };
            }
            else
            {
                result = answer.Result! with
                {
                    Score = _range.Clamp(answer.Result!.Score),
                    Confidence = Math.Clamp(answer.Result.Confidence, 0, 1),
                    Interval = interval,
                    Members = entries,
                    PredictionId = id,
                    Timestamp = now,
                };
            }
        }
        else if (combiner.Count > 1)
        {
            var (score, confidence, lower, upper) = combiner.Average(_strategy == EnsembleStrategy.ConfidenceWeightedAverage);
            result = new QualityPredictionResult
            {
                Score = _range.Clamp(score),
                Confidence = Math.Clamp(confidence, 0, 1),
                ConfidenceKind = combiner.WeakestKind,
                Interval = new PredictionInterval(_range.Clamp(lower), _range.Clamp(upper), combiner.MinCoverage),
                Source = PredictionSource.Ensemble,
                ModelName = Name,
                Basis = _averageBasis,
                Members = entries,
                PredictionId = id,
                Timestamp = now,
            };
        }
        else
        {
            result = new QualityPredictionResult
            {
                Score = _defaultScore,
                Confidence = 0,
                ConfidenceKind = ConfidenceKind.None,
                Interval = new PredictionInterval(_range.Min, _range.Max, 1),
                Source = PredictionSource.Default,
                ModelName = Name,
                Basis = "default",
                Members = entries,
                PredictionId = id,
                Timestamp = now,
            };
        }

        if (_metrics is { } metrics)
        {
            metrics.Predicted(Name, result.Source);
            if (start != 0)
            {
                metrics.RecordDuration(Name, _timeProvider.GetElapsedTime(start));
            }
        }

        Log.Predicted(_logger, Name, result.Source, result.Confidence);
        return result;
    }
}
