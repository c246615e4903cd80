using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using QualityPrediction.Ensemble;
using QualityPrediction.Heuristics;
using QualityPrediction.Internal;
using QualityPrediction.Models;
using QualityPrediction.Tests.TestSupport;

namespace QualityPrediction.Tests.Ensemble;

public sealed class EnsemblePredictorTests
{
    private static readonly PredictionContext Context = new PredictionContext().WithProvider("openai").WithModel("gpt-4o").WithActionType("combat");

    private static RuleBasedHeuristicPredictor Rules(double baseScore = 70, double confidence = 0.3) =>
        new(new HeuristicRules { BaseScore = baseScore, Confidence = confidence, IntervalHalfWidth = 10 }, ScoreRange.Percent, 5);

    private static EnsemblePredictor Chain(IQualityPredictor model, EnsembleOptions? options = null, TimeProvider? time = null, ILogger? logger = null, TestMeterFactory? meters = null) =>
        new("test", [EnsembleMember.Model(model), EnsembleMember.Heuristic(Rules())], options ?? new EnsembleOptions(), ScoreRange.Percent, time, logger, meters);

    [Test]
    public void A_healthy_model_answers_and_the_heuristic_is_skipped()
    {
        using var ensemble = Chain(new ScriptedModel("m", score: 82));

        var result = ensemble.Predict(Context);

        Assert.That(result.Score, Is.EqualTo(82));
        Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
        Assert.That(result.ModelName, Is.EqualTo("m"));
        Assert.That(result.ModelVersion, Is.EqualTo("v1"));
        Assert.That(result.Members.Select(m => (m.Name, m.Status)), Is.EqualTo(new[] { ("m", MemberStatus.Ok), ("heuristic", MemberStatus.Skipped) }));
        Assert.That(result.Members[0].Score, Is.EqualTo(82));
        Assert.That(result.Members[1].Score, Is.Null);
    }

    [Test]
    public async Task A_model_that_throws_falls_back_to_the_heuristic_and_says_why()
    {
        var model = new ScriptedModel("m") { Fault = new InvalidOperationException("engine exploded") };
        using var ensemble = Chain(model);

        foreach (var result in new[] { ensemble.Predict(Context), await ensemble.PredictAsync(Context) })
        {
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Heuristic));
            Assert.That(result.Score, Is.EqualTo(70));
            Assert.That(result.Basis, Is.EqualTo("rules"));
            Assert.That(result.Members[0].Status, Is.EqualTo(MemberStatus.Failed));
            Assert.That(result.Members[0].Reason, Is.EqualTo("InvalidOperationException: engine exploded"));
            Assert.That(result.Members[0].Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(result.Members[1].Status, Is.EqualTo(MemberStatus.Ok));
        }
    }

    [Test]
    public async Task A_model_that_exceeds_its_timeout_is_cancelled_and_the_heuristic_answers()
    {
        var options = new EnsembleOptions { MemberTimeout = TimeSpan.FromMilliseconds(50) };
        var model = new ScriptedModel("slow") { BlockUntilCancelled = true };
        using var ensemble = Chain(model, options);

        var result = ensemble.Predict(Context);

        Assert.That(result.Members[0].Status, Is.EqualTo(MemberStatus.TimedOut));
        Assert.That(result.Members[0].Reason, Does.Contain("50 ms"));
        Assert.That(model.ObservedCancellation, Is.True, "the member's token was cancelled, so its work really stopped");
        Assert.That(result.Source, Is.EqualTo(PredictionSource.Heuristic));

        model.ObservedCancellation = false;
        var asyncResult = await ensemble.PredictAsync(Context);
        Assert.That(asyncResult.Members[0].Status, Is.EqualTo(MemberStatus.TimedOut));
        Assert.That(model.ObservedCancellation, Is.True);
    }

    [Test]
    public void Cancelling_the_callers_token_cancels_the_prediction_instead_of_falling_back()
    {
        var options = new EnsembleOptions { MemberTimeout = TimeSpan.FromMinutes(1) };
        using var ensemble = Chain(new ScriptedModel("slow") { BlockUntilCancelled = true }, options);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        Assert.That(async () => await ensemble.PredictAsync(Context, cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void The_circuit_opens_after_repeated_failures_and_recovers_after_the_break()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var logger = new FakeLogger();
        using var meters = new TestMeterFactory();
        using var fallbacks = new MetricCollector<long>(meters, QualityPredictionInstruments.MeterName, QualityPredictionInstruments.Fallbacks);
        var options = new EnsembleOptions
        {
            CircuitBreaker = new CircuitBreakerSettings { MinimumThroughput = 2, FailureRatio = 0.5, SamplingDuration = TimeSpan.FromSeconds(10), BreakDuration = TimeSpan.FromSeconds(15) },
        };
        var model = new ScriptedModel("m") { Fault = new InvalidOperationException("boom") };
        using var ensemble = Chain(model, options, time, logger, meters);

        var statuses = new List<MemberStatus>
        {
            ensemble.Predict(Context).Members[0].Status,
            ensemble.Predict(Context).Members[0].Status,
            ensemble.Predict(Context).Members[0].Status,
        };
        Assert.That(statuses, Is.EqualTo(new[] { MemberStatus.Failed, MemberStatus.Failed, MemberStatus.CircuitOpen }));
        Assert.That(model.Calls, Is.EqualTo(2), "an open circuit does not call the member");

        model.Fault = null;
        var stillOpen = ensemble.Predict(Context);
        Assert.That(stillOpen.Members[0].Status, Is.EqualTo(MemberStatus.CircuitOpen));
        Assert.That(stillOpen.Source, Is.EqualTo(PredictionSource.Heuristic));

        time.Advance(TimeSpan.FromSeconds(16));
        var recovered = ensemble.Predict(Context);
        Assert.That(recovered.Members[0].Status, Is.EqualTo(MemberStatus.Ok));
        Assert.That(recovered.Source, Is.EqualTo(PredictionSource.Model));
        Assert.That(ensemble.Predict(Context).Members[0].Status, Is.EqualTo(MemberStatus.Ok));

        var logs = logger.Collector.GetSnapshot();
        Assert.That(logs.Count(l => l.Id.Id == Log.FallbackEngagedId), Is.EqualTo(1), "the transition is logged, not every fallback");
        Assert.That(logs.Single(l => l.Id.Id == Log.FallbackEngagedId).Level, Is.EqualTo(LogLevel.Information));
        Assert.That(logs.Count(l => l.Id.Id == Log.RecoveredId), Is.EqualTo(1));
        Assert.That(logs.Single(l => l.Id.Id == Log.FallbackEngagedId).Message, Does.Contain("'m'").And.Contain("Failed").And.Not.Contain("openai"));

        var byType = fallbacks.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags[QualityPredictionInstruments.ErrorTypeTag]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.That(byType, Is.EqualTo(new Dictionary<string, long> { ["Failed"] = 2, ["CircuitOpen"] = 2 }));
    }

    [Test]
    public void A_model_without_a_loaded_model_reports_not_loaded_and_never_trips_the_circuit()
    {
        var options = new EnsembleOptions { CircuitBreaker = new CircuitBreakerSettings { MinimumThroughput = 2, FailureRatio = 0.5 } };
        var model = new ScriptedModel("m") { Fault = new ModelNotLoadedException("Model 'm' is still loading.") };
        using var ensemble = Chain(model, options, new FakeTimeProvider());

        var results = Enumerable.Range(0, 10).Select(_ => ensemble.Predict(Context)).ToList();

        Assert.That(results.Select(r => r.Members[0].Status), Is.All.EqualTo(MemberStatus.NotLoaded));
        Assert.That(results[0].Members[0].Reason, Is.EqualTo("Model 'm' is still loading."));
        Assert.That(model.Calls, Is.EqualTo(10));
    }

    [Test]
    public void The_default_answers_when_no_member_can()
    {
        var options = new EnsembleOptions { DefaultScore = 42 };
        using var ensemble = new EnsemblePredictor(
            "test",
            [EnsembleMember.Model(new ScriptedModel("a") { Fault = new IOException("disk") }), EnsembleMember.Model(new ScriptedModel("b") { Fault = new ModelNotLoadedException("none") })],
            options,
            ScoreRange.Percent);

        var result = ensemble.Predict(Context);

        Assert.That(result.Source, Is.EqualTo(PredictionSource.Default));
        Assert.That(result.Score, Is.EqualTo(42));
        Assert.That(result.Confidence, Is.Zero);
        Assert.That(result.ConfidenceKind, Is.EqualTo(ConfidenceKind.None));
        Assert.That(result.Interval, Is.EqualTo(new PredictionInterval(0, 100, 1)));
        Assert.That(result.Members.Select(m => m.Status), Is.EqualTo(new[] { MemberStatus.Failed, MemberStatus.NotLoaded }));
    }

    [Test]
    public void Without_a_configured_default_the_middle_of_the_range_answers()
    {
        using var ensemble = new EnsemblePredictor("test", [], new EnsembleOptions(), new ScoreRange(1, 5));

        Assert.That(ensemble.Predict(Context).Score, Is.EqualTo(3));
    }

    [Test]
    public void Weighted_average_combines_every_member_that_answers()
    {
        var options = new EnsembleOptions { Strategy = EnsembleStrategy.WeightedAverage };
        using var ensemble = new EnsemblePredictor(
            "avg",
            [EnsembleMember.Heuristic(Rules(60, 0.2), 1), EnsembleMember.Heuristic(Rules(90, 0.6), 2), EnsembleMember.Model(new ScriptedModel("down") { Fault = new InvalidOperationException("x") }, 5)],
            options,
            ScoreRange.Percent);

        var result = ensemble.Predict(Context);

        Assert.That(result.Score, Is.EqualTo(80).Within(1e-9));
        Assert.That(result.Confidence, Is.EqualTo(((1 * 0.2) + (2 * 0.6)) / 3).Within(1e-9));
        Assert.That(result.Interval.Lower, Is.EqualTo(70).Within(1e-9));
        Assert.That(result.Interval.Upper, Is.EqualTo(90).Within(1e-9));
        Assert.That(result.Interval.Coverage, Is.Zero, "no coverage claim when a member makes none");
        Assert.That(result.ConfidenceKind, Is.EqualTo(ConfidenceKind.Configured));
        Assert.That(result.Source, Is.EqualTo(PredictionSource.Ensemble));
        Assert.That(result.ModelName, Is.EqualTo("avg"));
        Assert.That(result.Members.Select(m => m.Status), Is.EqualTo(new[] { MemberStatus.Ok, MemberStatus.Ok, MemberStatus.Failed }));
    }

    [Test]
    public void Confidence_weighted_average_weights_by_weight_times_confidence()
    {
        var options = new EnsembleOptions { Strategy = EnsembleStrategy.ConfidenceWeightedAverage };
        using var ensemble = new EnsemblePredictor("avg", [EnsembleMember.Heuristic(Rules(60, 0.2), 1), EnsembleMember.Heuristic(Rules(90, 0.6), 2)], options, ScoreRange.Percent);

        var result = ensemble.Predict(Context);

        // weights 1 × 0.2 = 0.2 and 2 × 0.6 = 1.2
        Assert.That(result.Score, Is.EqualTo(((0.2 * 60) + (1.2 * 90)) / 1.4).Within(1e-9));
        Assert.That(result.Confidence, Is.EqualTo(((0.2 * 0.2) + (1.2 * 0.6)) / 1.4).Within(1e-9));
        Assert.That(result.Basis, Is.EqualTo("confidence-weighted-average"));
    }

    [Test]
    public void An_average_with_a_single_answer_reports_that_members_source()
    {
        var options = new EnsembleOptions { Strategy = EnsembleStrategy.WeightedAverage };
        using var ensemble = new EnsemblePredictor("avg", [EnsembleMember.Model(new ScriptedModel("down") { Fault = new InvalidOperationException("x") }), EnsembleMember.Heuristic(Rules(65))], options, ScoreRange.Percent);

        var result = ensemble.Predict(Context);

        Assert.That(result.Source, Is.EqualTo(PredictionSource.Heuristic));
        Assert.That(result.Score, Is.EqualTo(65));
    }

    [Test]
    public void Member_scores_are_clamped_to_the_ensemble_range()
    {
        using var ensemble = Chain(new ScriptedModel("m", score: 130));

        Assert.That(ensemble.Predict(Context).Score, Is.EqualTo(100));
    }

    [Test]
    public void Only_the_callers_own_errors_propagate_an_ArgumentException_from_inside_a_member_is_its_fault()
    {
        using var ensemble = Chain(new ScriptedModel("m") { Fault = new ArgumentException("Feature 'statValue' must be numeric.") });
        using var rulesOnly = new EnsemblePredictor("r", [EnsembleMember.Heuristic(new RuleBasedHeuristicPredictor(new HeuristicRules { Adjustments = { ["provider"] = new Dictionary<string, double> { ["x"] = 1 } } }, ScoreRange.Percent, 5))], new EnsembleOptions(), ScoreRange.Percent);

        Assert.Throws<ArgumentNullException>(() => ensemble.Predict(null!));
        var result = ensemble.Predict(Context);
        var member = result.Members.Single(m => m.Name == "m");
        Assert.That((member.Status, result.Source), Is.EqualTo((MemberStatus.Failed, PredictionSource.Heuristic)));
        Assert.That(member.Reason, Does.Contain("ArgumentException").And.Contain("statValue"));
        Assert.That(async () => (await ensemble.PredictAsync(Context)).Members[0].Status, Is.EqualTo(MemberStatus.Failed));
        var wrongKind = rulesOnly.Predict(new PredictionContext { ["provider"] = 1 });
        Assert.That((wrongKind.Source, wrongKind.Members[0].Status), Is.EqualTo((PredictionSource.Default, MemberStatus.Failed)));
        Assert.That(wrongKind.Members[0].Reason, Does.Contain("'provider'"));
    }

    [Test]
    public void Every_prediction_gets_its_own_version_7_id_and_the_current_time()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using var ensemble = Chain(new ScriptedModel("m"), time: time);

        var first = ensemble.Predict(Context);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = ensemble.Predict(Context);

        Assert.That(first.PredictionId.Version, Is.EqualTo(7));
        Assert.That(second.PredictionId, Is.Not.EqualTo(first.PredictionId));
        Assert.That(first.Timestamp, Is.EqualTo(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));
        Assert.That(second.Timestamp, Is.EqualTo(first.Timestamp.AddSeconds(1)));
    }

    [Test]
    public void Batch_uses_the_members_batch_api_when_all_are_healthy()
    {
        var model = new ScriptedModel("m", score: 77);
        using var ensemble = Chain(model);
        var contexts = Enumerable.Range(0, 8).Select(i => new PredictionContext().WithProvider("p").WithStat("wits", i)).ToArray();
        var results = new QualityPredictionResult[contexts.Length];

        ensemble.PredictBatch(contexts, results);

        Assert.That(model.BatchCalls, Is.EqualTo(1));
        Assert.That(model.Calls, Is.Zero);
        Assert.That(results.Select(r => (r.Score, r.Source)), Is.All.EqualTo((77.0, PredictionSource.Model)));
        Assert.That(results.Select(r => r.Members[1].Status), Is.All.EqualTo(MemberStatus.Skipped));
        Assert.That(results.Select(r => r.PredictionId).Distinct().Count(), Is.EqualTo(contexts.Length));
    }

    [Test]
    public void Batch_falls_back_row_by_row_when_a_members_batch_call_fails()
    {
        var model = new ScriptedModel("m", score: 77) { FailBatch = true, FaultFor = c => c.TryGetNumber("statValue", out var v) && v == 3 ? new InvalidOperationException("row 3") : null };
        using var ensemble = Chain(model);
        var contexts = Enumerable.Range(0, 5).Select(i => new PredictionContext().WithProvider("p").WithStat("wits", i)).ToArray();
        var results = new QualityPredictionResult[contexts.Length];

        ensemble.PredictBatch(contexts, results);

        Assert.That(model.BatchCalls, Is.EqualTo(1));
        Assert.That(model.Calls, Is.EqualTo(5));
        Assert.That(results.Select(r => r.Source), Is.EqualTo(new[] { PredictionSource.Model, PredictionSource.Model, PredictionSource.Model, PredictionSource.Heuristic, PredictionSource.Model }));
        Assert.That(results[3].Members[0].Reason, Is.EqualTo("InvalidOperationException: row 3"));
    }

    [Test]
    public void Batch_predicts_row_by_row_while_a_member_is_unhealthy()
    {
        var model = new ScriptedModel("m", score: 77) { Fault = new InvalidOperationException("down") };
        using var ensemble = Chain(model);
        ensemble.Predict(Context);
        model.Fault = null;
        var results = new QualityPredictionResult[3];

        ensemble.PredictBatch(new[] { Context, Context, Context }, results);

        Assert.That(model.BatchCalls, Is.Zero);
        Assert.That(model.Calls, Is.EqualTo(4));
        Assert.That(results.Select(r => r.Source), Is.All.EqualTo(PredictionSource.Model));
    }

    [Test]
    public async Task Sync_and_async_predictions_share_the_members_circuit()
    {
        var options = new EnsembleOptions { CircuitBreaker = new CircuitBreakerSettings { MinimumThroughput = 2, FailureRatio = 0.5 } };
        var model = new ScriptedModel("m") { Fault = new InvalidOperationException("boom") };
        using var ensemble = Chain(model, options, new FakeTimeProvider());

        ensemble.Predict(Context);
        await ensemble.PredictAsync(Context);
        var result = await ensemble.PredictAsync(Context);

        Assert.That(result.Members[0].Status, Is.EqualTo(MemberStatus.CircuitOpen));
        Assert.That(model.Calls, Is.EqualTo(2));
    }

    [Test]
    public void Parallel_predictions_give_the_same_answers_as_sequential_ones()
    {
        var (rows, targets) = OutcomeGenerator.Generate(rowsPerCell: 5, seed: 11);
        var heuristic = new FittedHeuristicPredictor(FittedHeuristicModel.Fit(rows, targets, new HeuristicFitOptions(), ScoreRange.Percent, 5));
        var model = new ScriptedModel("m") { FaultFor = c => c.TryGetNumber("statValue", out var v) && v % 2 == 1 ? new InvalidOperationException("odd") : null };
        var options = new EnsembleOptions { CircuitBreaker = new CircuitBreakerSettings { FailureRatio = 1.0, MinimumThroughput = int.MaxValue } };
        using var ensemble = new EnsemblePredictor("p", [EnsembleMember.Model(model), EnsembleMember.Heuristic(heuristic)], options, ScoreRange.Percent);
        var contexts = rows.Take(200).ToArray();

        static string Key(QualityPredictionResult r) => $"{r.Score:R}|{r.Source}|{r.Basis}|{r.Confidence:R}|{r.Interval}|{string.Join(",", r.Members.Select(m => m.Status))}";
        var sequential = contexts.Select(c => Key(ensemble.Predict(c))).ToArray();
        var parallel = new string[contexts.Length];
        Parallel.For(0, contexts.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i % contexts.Length] = Key(ensemble.Predict(contexts[i % contexts.Length])));

        Assert.That(parallel, Is.EqualTo(sequential));
        Assert.That(sequential.Count(s => s.Contains("|Heuristic|", StringComparison.Ordinal)), Is.GreaterThan(0).And.LessThan(contexts.Length), "both paths were exercised");
    }

    [Test]
    public void Metrics_count_predictions_by_source_and_record_durations_in_seconds()
    {
        using var meters = new TestMeterFactory();
        using var predictions = new MetricCollector<long>(meters, QualityPredictionInstruments.MeterName, QualityPredictionInstruments.Predictions);
        using var duration = new MetricCollector<double>(meters, QualityPredictionInstruments.MeterName, QualityPredictionInstruments.Duration);
        var model = new ScriptedModel("m");
        using var ensemble = Chain(model, meters: meters);

        ensemble.Predict(Context);
        model.Fault = new InvalidOperationException("x");
        ensemble.Predict(Context);

        var snapshot = predictions.GetMeasurementSnapshot();
        Assert.That(snapshot.Select(m => m.Tags[QualityPredictionInstruments.SourceTag]), Is.EqualTo(new[] { "model", "heuristic" }));
        Assert.That(snapshot.Select(m => m.Tags[QualityPredictionInstruments.PredictorTag]), Is.All.EqualTo("test"));
        Assert.That(duration.GetMeasurementSnapshot(), Has.Count.EqualTo(2));
        Assert.That(duration.Instrument!.Unit, Is.EqualTo("s"));
        Assert.That(duration.GetMeasurementSnapshot().Select(m => m.Value), Is.All.GreaterThanOrEqualTo(0).And.All.LessThan(10));
    }

    [Test]
    public void Each_prediction_is_logged_at_debug_with_source_and_confidence()
    {
        var logger = new FakeLogger();
        using var ensemble = Chain(new ScriptedModel("m", confidence: 0.75), logger: logger);

        ensemble.Predict(Context);

        var record = logger.Collector.GetSnapshot().Single(r => r.Id.Id == Log.PredictedId);
        Assert.That(record.Level, Is.EqualTo(LogLevel.Debug));
        Assert.That(record.Message, Does.Contain("Model").And.Contain("0.750"));
    }

    [Test]
    public void Disposing_the_ensemble_leaves_its_members_to_their_owner()
    {
        var model = new ScriptedModel("m");
        var ensemble = Chain(model);

        ensemble.Dispose();
        ensemble.Dispose();

        Assert.That(model.Disposed, Is.False, "the ensemble does not own its members");
        Assert.Throws<ObjectDisposedException>(() => ensemble.Predict(Context));
    }

    [Test]
    public void Invalid_construction_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => _ = new EnsemblePredictor("x", [EnsembleMember.Heuristic(Rules(), -1)], new EnsembleOptions(), ScoreRange.Percent));
        Assert.Throws<ArgumentException>(() => _ = new EnsemblePredictor("x", [], new EnsembleOptions { DefaultScore = 101 }, ScoreRange.Percent));
        Assert.Throws<ArgumentNullException>(() => _ = new EnsemblePredictor("x", [default(EnsembleMember)], new EnsembleOptions(), ScoreRange.Percent));
    }

    [Test]
    public void A_result_a_custom_member_returns_is_never_changed_and_a_library_members_result_is_completed_once()
    {
        var shared = new QualityPredictionResult { Score = 150, Confidence = 0.5, Source = PredictionSource.Model, ModelName = "cached" };
        using var ensemble = Chain(new FixedResultPredictor(shared));

        var first = ensemble.Predict(Context);
        var second = ensemble.Predict(Context);

        Assert.That(first, Is.Not.SameAs(shared), "a custom member's object may be held elsewhere, so the ensemble copies it");
        Assert.That(shared.Score, Is.EqualTo(150), "the custom member's object is unchanged");
        Assert.That(shared.Members, Is.Empty);
        Assert.That(first.Score, Is.EqualTo(100), "clamped to the ensemble's range in the copy");
        Assert.That(first.PredictionId, Is.Not.EqualTo(second.PredictionId));

        using var heuristicOnly = new EnsemblePredictor("h", [EnsembleMember.Heuristic(Rules(82))], new EnsembleOptions(), ScoreRange.Percent);
        var a = heuristicOnly.Predict(Context);
        var b = heuristicOnly.Predict(Context);
        Assert.That(a, Is.Not.SameAs(b));
        Assert.That(a.Members.Single().Status, Is.EqualTo(MemberStatus.Ok));
        Assert.That(a.Score, Is.EqualTo(82));
        Assert.That(a.PredictionId, Is.Not.EqualTo(b.PredictionId));
    }

    private sealed class FixedResultPredictor(QualityPredictionResult result) : IQualityPredictor
    {
        public string Name => "fixed";

        public QualityPredictionResult Predict(PredictionContext context) => result;

        public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default) => ValueTask.FromResult(result);

        public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default) => results[..contexts.Length].Fill(result);
    }
}
