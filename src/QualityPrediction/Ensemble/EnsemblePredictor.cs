using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using QualityPrediction.Internal;
using QualityPrediction.Models;

namespace QualityPrediction.Ensemble;

/// <summary>
/// Combines several predictors (models first, a heuristic last) and never throws because of a member's fault:
/// each model member runs inside its own Polly circuit breaker under the member timeout (a watchdog cancels the
/// member's token once the call is older than <see cref="EnsembleOptions.MemberTimeout"/>), and a member that fails, times out, has its circuit open or has no model loaded is recorded in
/// <see cref="QualityPredictionResult.Members"/> while the others answer. When nobody answers, the default score
/// answers with <see cref="PredictionSource.Default"/>.
/// </summary>
/// <remarks>
/// <para>Programmer errors still throw: a <see langword="null"/> context (<see cref="ArgumentNullException"/>) and a
/// feature of the wrong kind (<see cref="ArgumentException"/> from a member) propagate, as does cancellation of the
/// caller's own token. Timeouts are cooperative: a member that ignores its token finishes before the ensemble moves on.
/// A member is cancelled between 1× and 1.25× <see cref="EnsembleOptions.MemberTimeout"/> after it started (the watchdog
/// checks every quarter of the timeout while calls are in flight); a timed-out call counts as a failure for the breaker.</para>
/// <para>Every result gets a fresh <see cref="QualityPredictionResult.PredictionId"/> (a version 7 GUID) and
/// <see cref="QualityPredictionResult.Timestamp"/> from the <see cref="TimeProvider"/>. Thread-safe.</para>
/// </remarks>
public sealed class EnsemblePredictor : IQualityPredictor, IDisposable
{
    private const string CircuitOpenReason = "The member's circuit is open after repeated failures; it is not called until the break ends.";

    private readonly Member[] _members;
    private readonly EnsembleStrategy _strategy;
    private readonly ScoreRange _range;
    private readonly double _defaultScore;
    private readonly string _timedOutReason;
    private readonly string _averageBasis;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly QualityPredictionMetrics? _metrics;
    private readonly MemberWatchdog? _watchdog;
    private int _disposed;

    /// <summary>Creates the ensemble.</summary>
    /// <param name="name">The ensemble's name (used in results, logs and metrics).</param>
    /// <param name="members">The members in priority order. The ensemble owns them and disposes those that are <see cref="IDisposable"/>.</param>
    /// <param name="options">The strategy, member timeout, circuit breaker and default score.</param>
    /// <param name="range">The score range; scores are clamped to it.</param>
    /// <param name="timeProvider">The time source for timeouts, the circuit breaker, ids and timestamps; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives fallback and recovery messages; none when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>QualityPrediction</c> meter; metrics are off when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/>, <paramref name="members"/>, <paramref name="options"/> or a member's predictor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The range is invalid, a weight is negative or not finite, or the default score is outside the range.</exception>
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
        _timedOutReason = $"No answer within the member timeout of {options.MemberTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms; the member was cancelled.";
        _averageBasis = _strategy == EnsembleStrategy.ConfidenceWeightedAverage ? "confidence-weighted-average" : "weighted-average";
        _members = members.Select((m, i) =>
        {
            if (m.Predictor is null)
            {
                throw new ArgumentNullException(nameof(members), $"Member {i} has no predictor.");
            }

            if (!double.IsFinite(m.Weight) || m.Weight < 0)
            {
                throw new ArgumentException($"Member {i} ('{m.Predictor.Name}') has weight {m.Weight.ToString(CultureInfo.InvariantCulture)}; weights must be finite and ≥ 0.", nameof(members));
            }

            return new Member(m, m.IsModel && options.CircuitBreaker.Enabled ? BuildPipeline(m.Predictor.Name, options, _timeProvider) : null, _timeProvider);
        }).ToArray();
        _watchdog = _members.Any(m => m.IsModel) ? new MemberWatchdog(options.MemberTimeout, _timeProvider) : null;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the strategy.</summary>
    public EnsembleStrategy Strategy => _strategy;

    /// <summary>Gets the members' predictors in priority order.</summary>
    public IReadOnlyList<IQualityPredictor> Predictors => _members.Select(m => m.Predictor).ToArray();

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The ensemble was disposed.</exception>
    public QualityPredictionResult Predict(PredictionContext context) => PredictCore(context, CancellationToken.None);

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The ensemble was disposed.</exception>
    public async ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var start = _metrics?.DurationEnabled == true ? _timeProvider.GetTimestamp() : 0;
        var entries = new EnsembleMemberResult[_members.Length];
        var combiner = new Combiner(_range);
        for (var i = 0; i < _members.Length; i++)
        {
            var member = _members[i];
            if (_strategy == EnsembleStrategy.PriorityChain && combiner.Answer is not null)
            {
                entries[i] = member.Entry(Attempt.NotRun);
                continue;
            }

            var attempt = await InvokeAsync(member, context, cancellationToken).ConfigureAwait(false);
            entries[i] = member.Entry(attempt);
            combiner.Add(member.Weight, attempt, member.Ownership);
        }

        return Finish(combiner, entries, start);
    }

    /// <inheritdoc />
    /// <remarks>When every member is healthy, each member scores the batch through its own batch API (the member timeout then applies to the whole call); a member whose batch call fails is retried row by row. Otherwise rows are predicted one at a time.</remarks>
    /// <exception cref="ObjectDisposedException">The ensemble was disposed.</exception>
    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
    {
        Features.CheckBatch(contexts, results);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
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
            }

            if (rows.Count == 0)
            {
                continue;
            }

            var subset = rows.Count == n ? all : rows.Select(i => all[i]).ToArray();
            var subsetResults = new QualityPredictionResult[subset.Length];
            if (TryBatch(member, subset, subsetResults, cancellationToken))
            {
                for (var j = 0; j < rows.Count; j++)
                {
                    attempts[m][rows[j]] = Attempt.Ok(subsetResults[j]);
                }
            }
            else
            {
                foreach (var i in rows)
                {
                    attempts[m][i] = Invoke(member, all[i], cancellationToken);
                }
            }

            foreach (var i in rows)
            {
                answered[i] |= attempts[m][i].Status == MemberStatus.Ok;
            }
        }

        for (var i = 0; i < n; i++)
        {
            var entries = new EnsembleMemberResult[_members.Length];
            var combiner = new Combiner(_range);
            for (var m = 0; m < _members.Length; m++)
            {
                var attempt = attempts[m][i];
                entries[m] = _members[m].Entry(attempt);
                if (_strategy == EnsembleStrategy.PriorityChain && combiner.Answer is not null)
                {
                    continue;
                }

                combiner.Add(_members[m].Weight, attempt, _members[m].Ownership);
            }

            results[i] = Finish(combiner, entries, 0);
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

    /// <summary>Disposes the members that are <see cref="IDisposable"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watchdog?.Dispose();
        foreach (var member in _members)
        {
            (member.Predictor as IDisposable)?.Dispose();
        }
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
                ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception is { } e && e is not (ModelNotLoadedException or ArgumentException or OperationCanceledException)),
            })
            .Build();
    }

    private static QualityPredictionResult Run(IQualityPredictor predictor, PredictionContext context, CancellationToken cancellationToken)
    {
        QualityPredictionResult? result;
        if (predictor is IOwnedResultPredictor direct)
        {
            result = direct.Predict(context, cancellationToken);
        }
        else
        {
            var pending = predictor.PredictAsync(context, cancellationToken);
            result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        }

        return Unusable(predictor, result) is { } error ? throw error : result!;
    }

    /// <summary>Runs a model member in a watchdog lane: an overrun becomes a <see cref="TimeoutRejectedException"/> (a failure for the breaker), the caller's cancellation an exception on the caller's token.</summary>
    private static QualityPredictionResult RunGuarded(EnsemblePredictor self, IQualityPredictor predictor, PredictionContext context, MemberWatchdog.Lane lane, CancellationToken callerToken)
    {
        try
        {
            return Run(predictor, context, lane.Token);
        }
        catch (OperationCanceledException ex) when (!callerToken.IsCancellationRequested && lane.IsExpired)
        {
            throw self.TimedOut(ex);
        }
        catch (OperationCanceledException ex) when (callerToken.IsCancellationRequested && ex.CancellationToken != callerToken)
        {
            throw new OperationCanceledException(ex.Message, ex, callerToken);
        }
    }

    private QualityPredictionResult Execute(ResiliencePipeline pipeline, IQualityPredictor predictor, PredictionContext context, MemberWatchdog.Lane lane, CancellationToken callerToken)
    {
        var resilienceContext = ResilienceContextPool.Shared.Get(lane.Token);
        try
        {
            return pipeline.Execute(
                static (_, state) => RunGuarded(state.Self, state.Predictor, state.Context, state.Lane, state.Caller),
                resilienceContext,
                (Self: this, Predictor: predictor, Context: context, Lane: lane, Caller: callerToken));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilienceContext);
        }
    }

    private static bool RunBatchGuarded((EnsemblePredictor Self, IQualityPredictor Predictor, PredictionContext[] Contexts, QualityPredictionResult[] Results, MemberWatchdog.Lane Lane, CancellationToken Caller) state)
    {
        try
        {
            state.Predictor.PredictBatch(state.Contexts, state.Results, state.Lane.Token);
            return true;
        }
        catch (OperationCanceledException ex) when (!state.Caller.IsCancellationRequested && state.Lane.IsExpired)
        {
            throw state.Self.TimedOut(ex);
        }
    }

    /// <summary>The asynchronous counterpart of <see cref="RunGuarded"/>; the outcome carries any exception back through the pipeline.</summary>
    private static async ValueTask<Outcome<QualityPredictionResult>> RunGuardedAsync(GuardedCall call, bool continueOnCapturedContext)
    {
        try
        {
            var result = await call.Predictor.PredictAsync(call.Context, call.Lane.Token).ConfigureAwait(continueOnCapturedContext);
            return Unusable(call.Predictor, result) is { } error
                ? Outcome.FromException<QualityPredictionResult>(error)
                : Outcome.FromResult(result!);
        }
        catch (OperationCanceledException ex) when (!call.Caller.IsCancellationRequested && call.Lane.IsExpired)
        {
            return Outcome.FromException<QualityPredictionResult>(call.Self.TimedOut(ex));
        }
        catch (OperationCanceledException ex) when (call.Caller.IsCancellationRequested && ex.CancellationToken != call.Caller)
        {
            return Outcome.FromException<QualityPredictionResult>(new OperationCanceledException(ex.Message, ex, call.Caller));
        }
#pragma warning disable CA1031 // The outcome carries the exception to the pipeline and back to the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Outcome.FromException<QualityPredictionResult>(ex);
        }
    }

    private TimeoutRejectedException TimedOut(Exception inner) => new(_timedOutReason, _watchdog!.Timeout, inner);

    /// <summary>Why a member's answer cannot be used (none, or a score or confidence that is not a finite number); <see langword="null"/> when it can.</summary>
    private static InvalidOperationException? Unusable(IQualityPredictor predictor, QualityPredictionResult? result) =>
        result is null ? new InvalidOperationException($"Member '{predictor.Name}' returned no result.")
        : !double.IsFinite(result.Score) || !double.IsFinite(result.Confidence)
            ? new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Member '{predictor.Name}' returned a score of {result.Score} with confidence {result.Confidence}; both must be finite."))
            : null;

    private static bool IsFault(Exception exception, CancellationToken cancellationToken) =>
        exception is not ArgumentException && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private QualityPredictionResult PredictCore(PredictionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var start = _metrics?.DurationEnabled == true ? _timeProvider.GetTimestamp() : 0;
        var entries = new EnsembleMemberResult[_members.Length];
        var combiner = new Combiner(_range);
        for (var i = 0; i < _members.Length; i++)
        {
            var member = _members[i];
            if (_strategy == EnsembleStrategy.PriorityChain && combiner.Answer is not null)
            {
                entries[i] = member.Entry(Attempt.NotRun);
                continue;
            }

            var attempt = Invoke(member, context, cancellationToken);
            entries[i] = member.Entry(attempt);
            combiner.Add(member.Weight, attempt, member.Ownership);
        }

        return Finish(combiner, entries, start);
    }

    private Attempt Invoke(Member member, PredictionContext context, CancellationToken cancellationToken)
    {
        Attempt attempt;
        if (!member.IsModel)
        {
            try
            {
                var result = cancellationToken.CanBeCanceled ? Run(member.Predictor, context, cancellationToken) : member.Predictor.Predict(context);
                attempt = Unusable(member.Predictor, result) is { } error ? Classify(error) : Attempt.Ok(result!);
            }
            catch (Exception ex) when (IsFault(ex, cancellationToken))
            {
                attempt = Classify(ex);
            }
        }
        else if (member.NotLoadedReason() is { } notLoaded)
        {
            attempt = new Attempt(MemberStatus.NotLoaded, null, notLoaded);
        }
        else
        {
            var lane = _watchdog!.EnterThread();
            var link = lane.Link(cancellationToken);
            try
            {
                attempt = Attempt.Ok(member.Pipeline is { } pipeline
                    ? Execute(pipeline, member.Predictor, context, lane, cancellationToken)
                    : RunGuarded(this, member.Predictor, context, lane, cancellationToken));
            }
            catch (Exception ex) when (IsFault(ex, cancellationToken))
            {
                attempt = Classify(ex);
            }
            finally
            {
                link.Dispose();
                lane.End();
            }
        }

        Track(member, attempt.Status);
        return attempt;
    }

    private async ValueTask<Attempt> InvokeAsync(Member member, PredictionContext context, CancellationToken cancellationToken)
    {
        Attempt attempt;
        if (!member.IsModel)
        {
            try
            {
                var result = await member.Predictor.PredictAsync(context, cancellationToken).ConfigureAwait(false);
                attempt = Unusable(member.Predictor, result) is { } error ? Classify(error) : Attempt.Ok(result!);
            }
            catch (Exception ex) when (IsFault(ex, cancellationToken))
            {
                attempt = Classify(ex);
            }
        }
        else if (member.NotLoadedReason() is { } notLoaded)
        {
            attempt = new Attempt(MemberStatus.NotLoaded, null, notLoaded);
        }
        else
        {
            var lane = _watchdog!.EnterAsync();
            var link = lane.Link(cancellationToken);
            var call = new GuardedCall(this, member.Predictor, context, lane, cancellationToken);
            try
            {
                Outcome<QualityPredictionResult> outcome;
                if (member.Pipeline is { } pipeline)
                {
                    var resilienceContext = ResilienceContextPool.Shared.Get(lane.Token);
                    try
                    {
                        outcome = await pipeline.ExecuteOutcomeAsync(static (ctx, state) => RunGuardedAsync(state, ctx.ContinueOnCapturedContext), resilienceContext, call).ConfigureAwait(false);
                    }
                    finally
                    {
                        ResilienceContextPool.Shared.Return(resilienceContext);
                    }
                }
                else
                {
                    outcome = await RunGuardedAsync(call, continueOnCapturedContext: false).ConfigureAwait(false);
                }

                if (outcome.Exception is { } exception)
                {
                    if (!IsFault(exception, cancellationToken))
                    {
                        ExceptionDispatchInfo.Capture(exception).Throw();
                    }

                    attempt = Classify(exception);
                }
                else
                {
                    attempt = Attempt.Ok(outcome.Result!);
                }
            }
            finally
            {
                link.Dispose();
                lane.End();
                _watchdog.ReturnAsyncLane(lane);
            }
        }

        Track(member, attempt.Status);
        return attempt;
    }

    private bool TryBatch(Member member, PredictionContext[] contexts, QualityPredictionResult[] results, CancellationToken cancellationToken)
    {
        bool ok;
        if (!member.IsModel)
        {
            try
            {
                member.Predictor.PredictBatch(contexts, results, cancellationToken);
                ok = true;
            }
            catch (Exception ex) when (IsFault(ex, cancellationToken))
            {
                ok = false;
            }
        }
        else
        {
            var lane = _watchdog!.EnterThread();
            var link = lane.Link(cancellationToken);
            var state = (Self: this, member.Predictor, Contexts: contexts, Results: results, Lane: lane, Caller: cancellationToken);
            try
            {
                if (member.Pipeline is { } pipeline)
                {
                    var resilienceContext = ResilienceContextPool.Shared.Get(lane.Token);
                    try
                    {
                        ok = pipeline.Execute(static (_, state) => RunBatchGuarded(state), resilienceContext, state);
                    }
                    finally
                    {
                        ResilienceContextPool.Shared.Return(resilienceContext);
                    }
                }
                else
                {
                    ok = RunBatchGuarded(state);
                }
            }
            catch (Exception ex) when (IsFault(ex, cancellationToken))
            {
                ok = false;
            }
            finally
            {
                link.Dispose();
                lane.End();
            }
        }

        ok = ok && Array.TrueForAll(results, r => Unusable(member.Predictor, r) is null);
        if (ok)
        {
            Track(member, MemberStatus.Ok);
        }

        return ok;
    }

    private Attempt Classify(Exception exception) => exception switch
    {
        TimeoutRejectedException => new Attempt(MemberStatus.TimedOut, null, _timedOutReason),
        BrokenCircuitException => new Attempt(MemberStatus.CircuitOpen, null, CircuitOpenReason),
        ModelNotLoadedException => new Attempt(MemberStatus.NotLoaded, null, exception.Message),
        _ => new Attempt(MemberStatus.Failed, null, $"{exception.GetType().Name}: {exception.Message}"),
    };

    private void Track(Member member, MemberStatus status)
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

    private QualityPredictionResult Finish(in Combiner combiner, EnsembleMemberResult[] entries, long start)
    {
        QualityPredictionResult result;
        if (combiner.Answer is { } answer && (_strategy == EnsembleStrategy.PriorityChain || combiner.Count == 1))
        {
            var interval = new PredictionInterval(_range.Clamp(answer.Interval.Lower), _range.Clamp(answer.Interval.Upper), answer.Interval.Coverage);
            if (combiner.AnswerOwnership != ResultOwnership.None)
            {
                // The member's result object is ours alone: complete it instead of copying it (budget 4, docs/benchmarks.md).
                // Stamped by the same clock, its fresh id and timestamp stand; otherwise it gets the ensemble's.
                var (stampId, stampTime) = combiner.AnswerOwnership == ResultOwnership.OwnedSameClock ? (answer.PredictionId, answer.Timestamp) : Stamp();
                answer.CompleteAsEnsembleAnswer(_range.Clamp(answer.Score), Math.Clamp(answer.Confidence, 0, 1), interval, entries, stampId, stampTime);
                result = answer;
            }
            else
            {
                var (id, now) = Stamp();
                result = answer with
                {
                    Score = _range.Clamp(answer.Score),
                    Confidence = Math.Clamp(answer.Confidence, 0, 1),
                    Interval = interval,
                    Members = entries,
                    PredictionId = id,
                    Timestamp = now,
                };
            }
        }
        else if (combiner.Count > 1)
        {
            var (id, now) = Stamp();
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
            var (id, now) = Stamp();
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

    /// <summary>One model member call in a watchdog lane, on behalf of a caller's token.</summary>
    private readonly record struct GuardedCall(EnsemblePredictor Self, IQualityPredictor Predictor, PredictionContext Context, MemberWatchdog.Lane Lane, CancellationToken Caller);

    /// <summary>Whether a member's result objects may be completed in place, and whether their stamp is from the ensemble's clock.</summary>
    private enum ResultOwnership
    {
        None,
        Owned,
        OwnedSameClock,
    }

    private (Guid Id, DateTimeOffset Now) Stamp()
    {
        var now = _timeProvider.GetUtcNow();
        return (PredictionIds.Next(now), now);
    }

    private readonly record struct Attempt(MemberStatus Status, QualityPredictionResult? Result, string? Reason, bool Ran = true)
    {
        public static Attempt NotRun => new(MemberStatus.Skipped, null, null, Ran: false);

        public static Attempt Ok(QualityPredictionResult result) => new(MemberStatus.Ok, result, null);
    }

    /// <summary>Accumulates the members that answered: the first answer (for a chain) and weighted sums (for averages).</summary>
    private struct Combiner(ScoreRange range)
    {
        private double _weight, _score, _confidence, _lower, _upper;
        private double _cWeight, _cScore, _cConfidence, _cLower, _cUpper;
        private double _eScore, _eConfidence, _eLower, _eUpper;

        public QualityPredictionResult? Answer { get; private set; }

        /// <summary>Gets whether <see cref="Answer"/> is a new object nobody else references (from a library predictor), which may be completed in place.</summary>
        public ResultOwnership AnswerOwnership { get; private set; }

        public int Count { get; private set; }

        public double MinCoverage { get; private set; } = 1;

        public ConfidenceKind WeakestKind { get; private set; } = ConfidenceKind.Calibrated;

        public void Add(double weight, in Attempt attempt, ResultOwnership ownership)
        {
            if (attempt.Status != MemberStatus.Ok || attempt.Result is not { } result)
            {
                return;
            }

            if (Answer is null)
            {
                Answer = result;
                AnswerOwnership = ownership;
            }

            Count++;
            var score = range.Clamp(result.Score);
            var confidence = Math.Clamp(result.Confidence, 0, 1);
            var (lower, upper) = (range.Clamp(result.Interval.Lower), range.Clamp(result.Interval.Upper));
            MinCoverage = Math.Min(MinCoverage, result.Interval.Coverage);
            WeakestKind = (ConfidenceKind)Math.Max((int)WeakestKind, (int)result.ConfidenceKind);
            _weight += weight;
            _score += weight * score;
            _confidence += weight * confidence;
            _lower += weight * lower;
            _upper += weight * upper;
            var cw = weight * confidence;
            _cWeight += cw;
            _cScore += cw * score;
            _cConfidence += cw * confidence;
            _cLower += cw * lower;
            _cUpper += cw * upper;
            _eScore += score;
            _eConfidence += confidence;
            _eLower += lower;
            _eUpper += upper;
        }

        public readonly (double Score, double Confidence, double Lower, double Upper) Average(bool byConfidence)
        {
            if (byConfidence && _cWeight > 0)
            {
                return (_cScore / _cWeight, _cConfidence / _cWeight, _cLower / _cWeight, _cUpper / _cWeight);
            }

            if (_weight > 0)
            {
                return (_score / _weight, _confidence / _weight, _lower / _weight, _upper / _weight);
            }

            return (_eScore / Count, _eConfidence / Count, _eLower / Count, _eUpper / Count);
        }
    }

    private sealed class Member(EnsembleMember member, ResiliencePipeline? pipeline, TimeProvider timeProvider)
    {
        private EnsembleMemberResult? _skipped;

#pragma warning disable SA1401, CA1051 // Updated with Interlocked.
        public int LastStatus = (int)MemberStatus.Ok;
#pragma warning restore SA1401, CA1051

        public IQualityPredictor Predictor { get; } = member.Predictor;

        public string Name { get; } = member.Predictor.Name;

        public double Weight { get; } = member.Weight;

        public PredictionSource Kind { get; } = member.IsModel ? PredictionSource.Model : PredictionSource.Heuristic;

        /// <summary>Gets whether the member is a model: it runs under the member timeout (and the breaker when one is configured).</summary>
        public bool IsModel { get; } = member.IsModel;

        /// <summary>Why the member's model cannot answer (checked without calling it, so falling back throws nothing); <see langword="null"/> when it may.</summary>
        public string? NotLoadedReason() => (Predictor as ModelPredictor)?.NotLoadedReason();

        public ResiliencePipeline? Pipeline { get; } = pipeline;

        /// <summary>Gets whether the member's results are new objects nobody else references (see <see cref="IOwnedResultPredictor"/>), stamped by the ensemble's clock.</summary>
        public ResultOwnership Ownership { get; } = member.Predictor is IOwnedResultPredictor owned
            ? ReferenceEquals(owned.TimeProvider, timeProvider) ? ResultOwnership.OwnedSameClock : ResultOwnership.Owned
            : ResultOwnership.None;

        public EnsembleMemberResult Entry(in Attempt attempt) =>
            attempt.Ran
                ? new EnsembleMemberResult(Name, attempt.Result?.Score, Weight, attempt.Status, attempt.Reason, Kind, attempt.Result?.ModelVersion, attempt.Result?.Confidence)
                : _skipped ??= new EnsembleMemberResult(Name, null, Weight, MemberStatus.Skipped, null, Kind); // immutable: shared by every result
    }
}
