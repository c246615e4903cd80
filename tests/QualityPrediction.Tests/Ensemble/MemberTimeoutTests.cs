using Microsoft.Extensions.Time.Testing;
using QualityPrediction.Ensemble;
using QualityPrediction.Ensemble.Internal;
using QualityPrediction.Heuristics;
using QualityPrediction.Internal;
using QualityPrediction.Tests.TestSupport;

namespace QualityPrediction.Tests.Ensemble;

/// <summary>The member timeout: a watchdog lane per call, one timer while calls are in flight.</summary>
public sealed class MemberTimeoutTests
{
    private static readonly PredictionContext Context = new PredictionContext().WithProvider("openai").WithModel("gpt-4o");

    private static EnsemblePredictor Chain(IQualityPredictor model, TimeSpan timeout, TimeProvider? time = null) =>
        new(
            "test",
            [EnsembleMember.Model(model), EnsembleMember.Heuristic(new RuleBasedHeuristicPredictor(new HeuristicRules { BaseScore = 70 }, ScoreRange.Percent, 5))],
            new EnsembleOptions { MemberTimeout = timeout },
            ScoreRange.Percent,
            time);

    [Test]
    public async Task A_call_is_cancelled_once_it_is_older_than_the_timeout_and_not_before()
    {
        var time = new FakeTimeProvider();
        var model = new ScriptedModel("slow") { BlockUntilCancelled = true };
        using var ensemble = Chain(model, TimeSpan.FromSeconds(1), time);

        var call = Task.Run(() => ensemble.Predict(Context));
        await WaitUntilAsync(() => model.Calls == 1);
        time.Advance(TimeSpan.FromMilliseconds(750));
        await Task.Delay(200);
        Assert.That(call.IsCompleted, Is.False, "three watchdog ticks (750 ms) are inside the 1 s timeout");

        time.Advance(TimeSpan.FromMilliseconds(250));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(result.Members[0].Status, Is.EqualTo(MemberStatus.TimedOut));
        Assert.That(result.Members[0].Reason, Does.Contain("1000 ms"));
        Assert.That(model.ObservedCancellation, Is.True);
        Assert.That(result.Source, Is.EqualTo(PredictionSource.Heuristic));
    }

    [Test]
    public async Task After_a_timeout_the_next_call_on_the_same_thread_gets_a_fresh_token()
    {
        var model = new ScriptedModel("flaky") { BlockUntilCancelled = true };
        using var ensemble = Chain(model, TimeSpan.FromMilliseconds(50));

        var (first, second) = await Task.Factory.StartNew(
            () =>
            {
                var timedOut = ensemble.Predict(Context);
                model.BlockUntilCancelled = false;
                return (timedOut, ensemble.Predict(Context));
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        Assert.That(first.Members[0].Status, Is.EqualTo(MemberStatus.TimedOut));
        Assert.That(second.Members[0].Status, Is.EqualTo(MemberStatus.Ok));
        Assert.That(second.Source, Is.EqualTo(PredictionSource.Model));
    }

    [Test]
    public void The_timer_runs_only_while_calls_are_in_flight_and_an_expired_lane_is_never_reused()
    {
        var time = new FakeTimeProvider();
        using var watchdog = new MemberWatchdog(TimeSpan.FromSeconds(1), time);
        Assert.That(watchdog.IsRunning, Is.False, "no timer before the first call");

        var lane = watchdog.EnterThread();
        Assert.That(watchdog.IsRunning, Is.True);
        Assert.That(lane.End(), Is.False);
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.That(watchdog.IsRunning, Is.True, "one idle tick keeps it");
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.That(watchdog.IsRunning, Is.False, "two idle ticks stop it");

        var slow = watchdog.EnterThread();
        var slowToken = slow.Token;
        Assert.That(watchdog.IsRunning, Is.True, "a call restarts it");
        time.Advance(TimeSpan.FromMilliseconds(750));
        Assert.That(slowToken.IsCancellationRequested, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.That(slowToken.IsCancellationRequested, Is.True);
        Assert.That(slow.IsExpired, Is.True);
        Assert.That(slow.End(), Is.True, "End reports the expiry");

        var next = watchdog.EnterThread();
        Assert.That(next, Is.SameAs(slow), "one lane per thread");
        Assert.That(next.Token.IsCancellationRequested, Is.False, "but with a new token");
        Assert.That(next.Token, Is.Not.EqualTo(slowToken));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.That(next.Token.IsCancellationRequested, Is.False, "a new call gets the full timeout");
        Assert.That(next.End(), Is.False);
    }

    // Issue 12: the lane list only grew; every thread that ever called kept a lane that every tick scanned.
    [Test]
    public void The_lanes_of_threads_that_have_exited_are_released_when_the_watchdog_goes_idle()
    {
        var time = new FakeTimeProvider();
        using var watchdog = new MemberWatchdog(TimeSpan.FromSeconds(1), time);
        var threads = Enumerable.Range(0, 16).Select(_ => new Thread(() => watchdog.EnterThread().End())).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.That(watchdog.LaneCount, Is.EqualTo(16));

        time.Advance(TimeSpan.FromMilliseconds(250));
        time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.That(watchdog.IsRunning, Is.False);
        Assert.That(watchdog.LaneCount, Is.Zero, "the exited threads' lanes are gone");
        var lane = watchdog.EnterThread();
        Assert.That(watchdog.LaneCount, Is.EqualTo(1), "a live thread gets a lane again");
        lane.End();
    }

    [Test]
    public void Asynchronous_calls_get_lanes_of_their_own_and_a_callers_token_cancels_only_its_call()
    {
        var time = new FakeTimeProvider();
        using var watchdog = new MemberWatchdog(TimeSpan.FromSeconds(1), time);
        using var caller = new CancellationTokenSource();

        var a = watchdog.EnterAsync();
        var b = watchdog.EnterAsync();
        Assert.That(a, Is.Not.SameAs(b));
        using (a.Link(caller.Token))
        {
            caller.Cancel();
        }

        Assert.That(a.Token.IsCancellationRequested, Is.True);
        Assert.That(b.Token.IsCancellationRequested, Is.False);
        Assert.That(a.End(), Is.False, "cancelled by its caller, not expired by the watchdog");
        watchdog.ReturnAsyncLane(a);

        var reused = watchdog.EnterAsync();
        Assert.That(reused, Is.SameAs(a));
        Assert.That(reused.Token.IsCancellationRequested, Is.False, "a cancelled source is replaced, never reused");
        reused.End();
        b.End();
    }

    [Test]
    public void Concurrent_fast_calls_never_time_out()
    {
        var model = new ScriptedModel("fast");
        using var ensemble = Chain(model, TimeSpan.FromSeconds(10));
        var statuses = new int[Enum.GetValues<MemberStatus>().Length];

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var result = i % 2 == 0 ? ensemble.Predict(Context) : ensemble.PredictAsync(Context).AsTask().GetAwaiter().GetResult();
            Interlocked.Increment(ref statuses[(int)result.Members[0].Status]);
        });

        Assert.That(statuses[(int)MemberStatus.Ok], Is.EqualTo(20_000), string.Join(", ", Enum.GetValues<MemberStatus>().Select(s => $"{s}={statuses[(int)s]}")));
    }

    [Test]
    public async Task Without_the_breaker_a_failing_model_is_called_every_time_and_the_timeout_still_applies()
    {
        var model = new ScriptedModel("m") { Fault = new InvalidOperationException("boom") };
        using var ensemble = new EnsemblePredictor(
            "test",
            [EnsembleMember.Model(model), EnsembleMember.Heuristic(new RuleBasedHeuristicPredictor(new HeuristicRules { BaseScore = 70 }, ScoreRange.Percent, 5))],
            new EnsembleOptions { MemberTimeout = TimeSpan.FromMilliseconds(50), CircuitBreaker = new CircuitBreakerSettings { Enabled = false, MinimumThroughput = 2 } },
            ScoreRange.Percent);

        var statuses = Enumerable.Range(0, 20).Select(_ => ensemble.Predict(Context).Members[0].Status).ToList();
        Assert.That(statuses, Is.All.EqualTo(MemberStatus.Failed), "no circuit opens");
        Assert.That(model.Calls, Is.EqualTo(20));

        model.Fault = null;
        model.BlockUntilCancelled = true;
        Assert.That(ensemble.Predict(Context).Members[0].Status, Is.EqualTo(MemberStatus.TimedOut));
        Assert.That((await ensemble.PredictAsync(Context)).Members[0].Status, Is.EqualTo(MemberStatus.TimedOut));

        model.BlockUntilCancelled = false;
        var contexts = Enumerable.Repeat(Context, 4).ToArray();
        var results = new QualityPredictionResult[4];
        ensemble.PredictBatch(contexts, results);
        Assert.That(results.Select(r => r.Source), Is.All.EqualTo(PredictionSource.Model));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.That(condition(), Is.True, "timed out waiting for the condition");
    }
}
