using System.Globalization;
using System.Runtime.ExceptionServices;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using QualityPrediction.Models;
using QualityPrediction.Models.Internal;

namespace QualityPrediction.Ensemble.Internal;

/// <summary>
/// Calls one ensemble member and says how it went, never throwing for the member's own faults: a catalog model reads
/// its live version through a lease (no version live: <see cref="MemberStatus.NotLoaded"/> at once, no call, nothing
/// counted by the breaker); model members run in a watchdog lane (the one timeout mechanism: an answer that comes after
/// the timeout is <see cref="MemberStatus.TimedOut"/> and is not used) inside the member's circuit breaker.
/// Only the caller's own errors escape: its cancellation, and an unknown feature under <see cref="UnknownFeatureHandling.Throw"/>.
/// </summary>
internal sealed class MemberInvoker
{
    private const string CircuitOpenReason = "The member's circuit is open after repeated failures; it is not called until the break ends.";

    private readonly IQualityPredictor? _predictor;
    private readonly IModelCatalog? _catalog;
    private readonly CatalogEntry? _entry;
    private readonly ResiliencePipeline? _pipeline;
    private readonly MemberWatchdog? _watchdog;
    private readonly ScoreRange _range;
    private readonly string _timedOutReason;
    private EnsembleMemberResult? _skipped;

#pragma warning disable SA1401, CA1051 // Updated with Interlocked.
    public int LastStatus = (int)MemberStatus.Ok;
#pragma warning restore SA1401, CA1051

    public MemberInvoker(in EnsembleMember member, ResiliencePipeline? pipeline, MemberWatchdog? watchdog, ScoreRange range, string timedOutReason)
    {
        _predictor = member.Predictor;
        _catalog = member.Catalog;
        _entry = member.Catalog is { } catalog ? CatalogEntries.Find(catalog, member.Name) : null;
        if (_catalog is not null && _entry is null)
        {
            _ = _catalog.GetStatus(member.Name);
        }

        _pipeline = pipeline;
        _watchdog = watchdog;
        _range = range;
        _timedOutReason = timedOutReason;
        Name = member.Name;
        Weight = member.Weight;
        IsModel = member.IsModel;
        Kind = member.IsModel ? PredictionSource.Model : PredictionSource.Heuristic;
    }

    public string Name { get; }

    public double Weight { get; }

    public bool IsModel { get; }

    public PredictionSource Kind { get; }

    /// <summary>Gets the member's predictor, or for a catalog model a <see cref="ModelPredictor"/> on the same catalog.</summary>
    public IQualityPredictor Predictor => _predictor ?? new ModelPredictor(_catalog!, Name);

    public EnsembleMemberResult Entry(in Attempt attempt) =>
        attempt.Ran
            ? new EnsembleMemberResult(Name, attempt.IsOk ? attempt.Score : null, Weight, attempt.Status, attempt.Reason, Kind, attempt.IsOk ? attempt.Version : null, attempt.IsOk ? attempt.Confidence : null)
            : _skipped ??= new EnsembleMemberResult(Name, null, Weight, MemberStatus.Skipped, null, Kind); // immutable: shared by every result

    public Attempt Invoke(PredictionContext context, CancellationToken cancellationToken)
    {
        if (_catalog is not null)
        {
            return InvokeCatalog(context, cancellationToken);
        }

        if (!IsModel)
        {
            try
            {
                var result = cancellationToken.CanBeCanceled ? Run(_predictor!, context, cancellationToken) : _predictor!.Predict(context);
                return Unusable(result) is { } error ? Classify(error) : Attempt.Ok(result!);
            }
            catch (Exception ex) when (IsFault(ex, cancellationToken))
            {
                return Classify(ex);
            }
        }

        var lane = _watchdog!.EnterThread();
        var link = lane.Link(cancellationToken);
        try
        {
            var state = (Self: this, Context: context, Lane: lane, Caller: cancellationToken);
            var result = _pipeline is { } pipeline
                ? Execute(pipeline, lane, state, static (_, s) => s.Self.RunGuarded(s.Context, s.Lane, s.Caller))
                : RunGuarded(context, lane, cancellationToken);
            return Attempt.Ok(result);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _watchdog!.IsLate(lane))
        {
            // Cancelled by the watchdog before the member even ran (Polly checks the token first): a timeout, not a fault.
            return Attempt.Not(MemberStatus.TimedOut, _timedOutReason);
        }
        catch (Exception ex) when (IsFault(ex, cancellationToken))
        {
            return Classify(ex);
        }
        finally
        {
            link.Dispose();
            lane.End();
        }
    }

    public async ValueTask<Attempt> InvokeAsync(PredictionContext context, CancellationToken cancellationToken)
    {
        if (_catalog is not null)
        {
            // Catalog models score synchronously (in memory, bounded by the member timeout): the synchronous path serves both.
            return InvokeCatalog(context, cancellationToken);
        }

        if (!IsModel)
        {
            try
            {
                var result = await _predictor!.PredictAsync(context, cancellationToken).ConfigureAwait(false);
                return Unusable(result) is { } error ? Classify(error) : Attempt.Ok(result!);
            }
            catch (Exception ex) when (IsFault(ex, cancellationToken))
            {
                return Classify(ex);
            }
        }

        var lane = _watchdog!.EnterAsync();
        var link = lane.Link(cancellationToken);
        var call = new GuardedCall(this, context, lane, cancellationToken);
        try
        {
            Outcome<QualityPredictionResult> outcome;
            if (_pipeline is { } pipeline)
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
                if (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested && _watchdog.IsLate(lane))
                {
                    return Attempt.Not(MemberStatus.TimedOut, _timedOutReason);
                }

                if (!IsFault(exception, cancellationToken))
                {
                    ExceptionDispatchInfo.Capture(exception).Throw();
                }

                return Classify(exception);
            }

            return Attempt.Ok(outcome.Result!);
        }
        finally
        {
            link.Dispose();
            lane.End();
            _watchdog.ReturnAsyncLane(lane);
        }
    }

    /// <summary>Scores a batch in one call of the member; <see langword="false"/> (the caller then goes row by row) when it cannot.</summary>
    public bool TryBatch(PredictionContext[] contexts, Attempt[] attempts, CancellationToken cancellationToken)
    {
        if (_catalog is not null)
        {
            return TryCatalogBatch(contexts, attempts, cancellationToken);
        }

        var results = new QualityPredictionResult[contexts.Length];
        bool ok;
        if (!IsModel)
        {
            try
            {
                _predictor!.PredictBatch(contexts, results, cancellationToken);
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
            var state = (Self: this, Contexts: contexts, Results: results, Lane: lane, Caller: cancellationToken);
            try
            {
                ok = _pipeline is { } pipeline
                    ? Execute(pipeline, lane, state, static (_, s) => s.Self.RunBatchGuarded(s.Contexts, s.Results, s.Lane, s.Caller))
                    : RunBatchGuarded(contexts, results, lane, cancellationToken);
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

        if (!ok || !Array.TrueForAll(results, r => Unusable(r) is null))
        {
            return false;
        }

        for (var i = 0; i < results.Length; i++)
        {
            attempts[i] = Attempt.Ok(results[i]);
        }

        return true;
    }

    private LoadedModel? Acquire()
    {
        if (_entry is not null)
        {
            return _entry.TryAcquire();
        }

        return _catalog!.TryLease(Name, out var lease) ? lease.Model : null;
    }

    private string NotLoadedReason() => ModelPredictor.NotLoadedReason(_entry?.Status ?? _catalog!.GetStatus(Name));

    private string? RangeMismatch(LoadedModel model)
    {
        var target = model.Manifest.Target;
        return target.Min == _range.Min && target.Max == _range.Max
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"Model '{Name}' version {model.Version} scores on [{target.Min}, {target.Max}], but the predictor's range is [{_range.Min}, {_range.Max}]; its answers are not used.");
    }

    private Attempt InvokeCatalog(PredictionContext context, CancellationToken cancellationToken)
    {
        var model = Acquire();
        if (model is null)
        {
            return Attempt.Not(MemberStatus.NotLoaded, NotLoadedReason());
        }

        try
        {
            if (RangeMismatch(model) is { } mismatch)
            {
                return Attempt.Not(MemberStatus.Declined, mismatch);
            }

            var lane = _watchdog!.EnterThread();
            var link = lane.Link(cancellationToken);
            CatalogScore score;
            try
            {
                var state = (Self: this, Model: model, Context: context, Lane: lane, Caller: cancellationToken);
                score = _pipeline is { } pipeline
                    ? Execute(pipeline, lane, state, static (_, s) => s.Self.ScoreGuarded(s.Model, s.Context, s.Lane, s.Caller))
                    : ScoreGuarded(model, context, lane, cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _watchdog!.IsLate(lane))
            {
                // Cancelled by the watchdog before the member even ran (Polly checks the token first): a timeout, not a fault.
                return Attempt.Not(MemberStatus.TimedOut, _timedOutReason);
            }
            catch (Exception ex) when (IsFault(ex, cancellationToken))
            {
                return Classify(ex);
            }
            finally
            {
                link.Dispose();
                lane.End();
            }

            return score.Status switch
            {
                ScoreStatus.Ok => Attempt.Ok(model, score.Answer),
                ScoreStatus.UnknownFeature => throw new ArgumentException(score.Reason, nameof(context)),
                _ => Attempt.Not(MemberStatus.Declined, score.Reason!),
            };
        }
        finally
        {
            model.Release();
        }
    }

    private bool TryCatalogBatch(PredictionContext[] contexts, Attempt[] attempts, CancellationToken cancellationToken)
    {
        var model = Acquire();
        if (model is null)
        {
            return false;
        }

        try
        {
            if (RangeMismatch(model) is not null)
            {
                return false;
            }

            var answers = new ModelAnswer[contexts.Length];
            var lane = _watchdog!.EnterThread();
            var link = lane.Link(cancellationToken);
            bool ok;
            try
            {
                var state = (Self: this, Model: model, Contexts: contexts, Answers: answers, Lane: lane, Caller: cancellationToken);
                ok = _pipeline is { } pipeline
                    ? Execute(pipeline, lane, state, static (_, s) => s.Self.ScoreBatchGuarded(s.Model, s.Contexts, s.Answers, s.Lane, s.Caller))
                    : ScoreBatchGuarded(model, contexts, answers, lane, cancellationToken);
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

            if (!ok)
            {
                return false;
            }

            for (var i = 0; i < contexts.Length; i++)
            {
                attempts[i] = Attempt.Ok(model, answers[i]);
            }

            return true;
        }
        finally
        {
            model.Release();
        }
    }

    private static TResult Execute<TResult, TState>(ResiliencePipeline pipeline, MemberWatchdog.Lane lane, TState state, Func<ResilienceContext, TState, TResult> callback)
    {
        var resilienceContext = ResilienceContextPool.Shared.Get(lane.Token);
        try
        {
            return pipeline.Execute(callback, resilienceContext, state);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilienceContext);
        }
    }

    private CatalogScore ScoreGuarded(LoadedModel model, PredictionContext context, MemberWatchdog.Lane lane, CancellationToken caller)
    {
        ScoreStatus status;
        ModelAnswer answer;
        string? reason;
        try
        {
            status = model.TryScore(context, lane.Token, out answer, out reason);
        }
        catch (OperationCanceledException ex) when (!caller.IsCancellationRequested && lane.IsExpired)
        {
            throw TimedOut(ex);
        }
        catch (OperationCanceledException ex) when (caller.IsCancellationRequested && ex.CancellationToken != caller)
        {
            throw new OperationCanceledException(ex.Message, ex, caller);
        }

        // An engine that does not observe the token (ML.NET) can answer after the timeout: that answer is not used.
        return _watchdog!.IsLate(lane) ? throw TimedOut(null) : new CatalogScore(status, answer, reason);
    }

    private bool ScoreBatchGuarded(LoadedModel model, PredictionContext[] contexts, ModelAnswer[] answers, MemberWatchdog.Lane lane, CancellationToken caller)
    {
        bool ok;
        try
        {
            ok = model.TryScoreBatch(contexts, answers, lane.Token);
        }
        catch (OperationCanceledException ex) when (!caller.IsCancellationRequested && lane.IsExpired)
        {
            throw TimedOut(ex);
        }

        return _watchdog!.IsLate(lane) ? throw TimedOut(null) : ok;
    }

    private static QualityPredictionResult Run(IQualityPredictor predictor, PredictionContext context, CancellationToken cancellationToken)
    {
        var pending = predictor.PredictAsync(context, cancellationToken);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private QualityPredictionResult RunGuarded(PredictionContext context, MemberWatchdog.Lane lane, CancellationToken caller)
    {
        QualityPredictionResult result;
        try
        {
            result = Run(_predictor!, context, lane.Token);
        }
        catch (OperationCanceledException ex) when (!caller.IsCancellationRequested && lane.IsExpired)
        {
            throw TimedOut(ex);
        }
        catch (OperationCanceledException ex) when (caller.IsCancellationRequested && ex.CancellationToken != caller)
        {
            throw new OperationCanceledException(ex.Message, ex, caller);
        }

        if (_watchdog!.IsLate(lane))
        {
            throw TimedOut(null);
        }

        return Unusable(result) is { } error ? throw error : result;
    }

    private bool RunBatchGuarded(PredictionContext[] contexts, QualityPredictionResult[] results, MemberWatchdog.Lane lane, CancellationToken caller)
    {
        try
        {
            _predictor!.PredictBatch(contexts, results, lane.Token);
        }
        catch (OperationCanceledException ex) when (!caller.IsCancellationRequested && lane.IsExpired)
        {
            throw TimedOut(ex);
        }

        return _watchdog!.IsLate(lane) ? throw TimedOut(null) : true;
    }

    private static async ValueTask<Outcome<QualityPredictionResult>> RunGuardedAsync(GuardedCall call, bool continueOnCapturedContext)
    {
        try
        {
            var result = await call.Self._predictor!.PredictAsync(call.Context, call.Lane.Token).ConfigureAwait(continueOnCapturedContext);
            if (call.Self._watchdog!.IsLate(call.Lane))
            {
                return Outcome.FromException<QualityPredictionResult>(call.Self.TimedOut(null));
            }

            return call.Self.Unusable(result) is { } error
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

    private TimeoutRejectedException TimedOut(Exception? inner) =>
        inner is null ? new TimeoutRejectedException(_timedOutReason, _watchdog!.Timeout) : new TimeoutRejectedException(_timedOutReason, _watchdog!.Timeout, inner);

    /// <summary>Why a member's answer cannot be used (none, or a score or confidence that is not a finite number); <see langword="null"/> when it can.</summary>
    private InvalidOperationException? Unusable(QualityPredictionResult? result) =>
        result is null ? new InvalidOperationException($"Member '{Name}' returned no result.")
        : !double.IsFinite(result.Score) || !double.IsFinite(result.Confidence)
            ? new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Member '{Name}' returned a score of {result.Score} with confidence {result.Confidence}; both must be finite."))
            : null;

    /// <summary>Whether an exception is the member's fault (recorded) rather than the caller's cancellation (propagated). An <see cref="ArgumentException"/> from inside a member is the member's fault.</summary>
    private static bool IsFault(Exception exception, CancellationToken cancellationToken) =>
        !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private Attempt Classify(Exception exception) => exception switch
    {
        TimeoutRejectedException => Attempt.Not(MemberStatus.TimedOut, _timedOutReason),
        BrokenCircuitException => Attempt.Not(MemberStatus.CircuitOpen, CircuitOpenReason),
        ModelNotLoadedException => Attempt.Not(MemberStatus.NotLoaded, exception.Message),
        _ => Attempt.Not(MemberStatus.Failed, $"{exception.GetType().Name}: {exception.Message}"),
    };

    private readonly record struct CatalogScore(ScoreStatus Status, ModelAnswer Answer, string? Reason);

    /// <summary>One model member call in a watchdog lane, on behalf of a caller's token.</summary>
    private readonly record struct GuardedCall(MemberInvoker Self, PredictionContext Context, MemberWatchdog.Lane Lane, CancellationToken Caller);
}
