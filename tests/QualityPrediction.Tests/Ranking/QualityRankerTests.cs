using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

public sealed class QualityRankerTests
{
    private static readonly RankingCandidate[] Candidates =
    [
        RankingCandidate.ForModel("p", "low", cost: 1),
        RankingCandidate.ForModel("p", "high", cost: 5),
        RankingCandidate.ForModel("p", "middle", cost: 2),
    ];

    private static TablePredictor Table() => new TablePredictor().Add("low", 0.3).Add("high", 0.9).Add("middle", 0.6);

    [Test]
    public void Ranks_by_predicted_score_with_ranks_and_predictions()
    {
        var result = new QualityRanker(Table()).Rank(new PredictionContext(), Candidates);

        Assert.Multiple(() =>
        {
            Assert.That(result.Candidates.Select(c => c.Name), Is.EqualTo(new[] { "p/high", "p/middle", "p/low" }));
            Assert.That(result.Candidates.Select(c => c.Rank), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(result.Candidates.Select(c => c.Score), Is.EqualTo(new[] { 0.9, 0.6, 0.3 }));
            Assert.That(result.Candidates.Select(c => c.Cost), Is.EqualTo(new double?[] { 5, 2, 1 }));
            Assert.That(result.Best.Name, Is.EqualTo("p/high"));
            Assert.That(result.Candidates[0].Interval, Is.EqualTo(new PredictionInterval(0.8, 1.0, 0.9)).Using<PredictionInterval>((a, b) => Math.Abs(a.Lower - b.Lower) < 1e-12 && Math.Abs(a.Upper - b.Upper) < 1e-12 && a.Coverage == b.Coverage));
            Assert.That(result.Policy, Is.EqualTo("greedy"));
        });
    }

    [Test]
    public void Equal_scores_keep_the_input_order()
    {
        var predictor = new TablePredictor().Add("a", 0.5).Add("b", 0.5).Add("c", 0.7);
        var result = new QualityRanker(predictor).Rank(
            new PredictionContext(),
            [RankingCandidate.ForModel("p", "a"), RankingCandidate.ForModel("p", "b"), RankingCandidate.ForModel("p", "c")]);

        Assert.That(result.Candidates.Select(c => c.Name), Is.EqualTo(new[] { "p/c", "p/a", "p/b" }));
    }

    [Test]
    public void The_chosen_prediction_carries_its_selection_probability_and_keeps_its_identity()
    {
        var result = new QualityRanker(Table(), new EpsilonGreedyPolicy(0.3), new Random(3)).Rank(new PredictionContext(), Candidates);

        Assert.Multiple(() =>
        {
            Assert.That(result.ChosenPrediction.SelectionProbability, Is.EqualTo(result.SelectionProbability));
            Assert.That(result.ChosenPrediction.PredictionId, Is.EqualTo(result.Chosen.Prediction.PredictionId));
            Assert.That(result.ChosenPrediction.Score, Is.EqualTo(result.Chosen.Score));
            Assert.That(result.Candidates.Select(c => c.Prediction.SelectionProbability), Is.All.Null, "the ranked predictions are left as the predictor answered");
            Assert.That(result.GetSelectionProbability(result.ChosenIndex), Is.EqualTo(result.SelectionProbability));
            Assert.That(Enumerable.Range(0, 3).Sum(result.GetSelectionProbability), Is.EqualTo(1).Within(1e-12));
        });
    }

    [Test]
    public void Scores_every_candidate_in_one_batch_and_copies_the_base_context_only_when_needed()
    {
        var predictor = Table();
        var baseContext = new PredictionContext().WithActionType("narrate").WithModel("middle");
        RankingCandidate[] candidates =
        [
            new RankingCandidate("as-is"),
            new RankingCandidate("same-value", [new(WellKnownFeatures.Model, "middle")]),
            RankingCandidate.ForModel("p", "high"),
        ];

        var result = new QualityRanker(predictor).Rank(baseContext, candidates);

        Assert.Multiple(() =>
        {
            Assert.That(predictor.BatchCalls, Is.EqualTo(1));
            Assert.That(predictor.SingleCalls, Is.Zero);
            Assert.That(predictor.LastBatch, Has.Count.EqualTo(3));
            Assert.That(predictor.LastBatch[0], Is.SameAs(baseContext));
            Assert.That(predictor.LastBatch[1], Is.SameAs(baseContext));
            Assert.That(predictor.LastBatch[2], Is.Not.SameAs(baseContext));
            Assert.That(predictor.LastBatch[2][WellKnownFeatures.Model].Category, Is.EqualTo("high"));
            Assert.That(predictor.LastBatch[2][WellKnownFeatures.ActionType].Category, Is.EqualTo("narrate"), "the copy keeps the base features");
            Assert.That(baseContext[WellKnownFeatures.Model].Category, Is.EqualTo("middle"), "the base context is not changed");
            Assert.That(baseContext.Contains(WellKnownFeatures.Provider), Is.False);
            Assert.That(result.Best.Context, Is.SameAs(predictor.LastBatch[2]));
        });
    }

    [Test]
    public void A_per_call_policy_overrides_the_default()
    {
        var ranker = new QualityRanker(Table());
        var result = ranker.Rank(new PredictionContext(), Candidates, new CheapestWithinTolerancePolicy(0.35));

        Assert.Multiple(() =>
        {
            Assert.That(result.Chosen.Name, Is.EqualTo("p/middle"));
            Assert.That(result.Policy, Is.EqualTo("cheapest-within(0.35)"));
            Assert.That(ranker.Policy, Is.InstanceOf<GreedyPolicy>());
        });
    }

    [Test]
    public void A_seeded_ranker_is_reproducible()
    {
        static int[] Choices(int seed)
        {
            var ranker = new QualityRanker(Table(), new EpsilonGreedyPolicy(0.5), new Random(seed));
            return [.. Enumerable.Range(0, 200).Select(_ => ranker.Rank(new PredictionContext(), Candidates).ChosenIndex)];
        }

        var first = Choices(11);
        var again = Choices(11);
        var other = Choices(12);
        Assert.Multiple(() =>
        {
            Assert.That(again, Is.EqualTo(first));
            Assert.That(other, Is.Not.EqualTo(first));
        });
    }

    [Test]
    public void Concurrent_calls_on_one_seeded_ranker_are_safe_and_follow_the_policy()
    {
        var ranker = new QualityRanker(Table(), new EpsilonGreedyPolicy(0.3), new Random(5));
        var counts = new int[3];
        Parallel.For(0, 6000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            var result = ranker.Rank(new PredictionContext(), Candidates);
            Interlocked.Increment(ref counts[result.ChosenIndex]);
        });

        // ε = 0.3, k = 3: 0.8 for the top candidate, 0.1 for each other; ±0.03 is over 5 standard errors.
        Assert.Multiple(() =>
        {
            Assert.That(counts.Sum(), Is.EqualTo(6000));
            Assert.That(counts[0] / 6000.0, Is.EqualTo(0.8).Within(0.03));
            Assert.That(counts[1] / 6000.0, Is.EqualTo(0.1).Within(0.03));
            Assert.That(counts[2] / 6000.0, Is.EqualTo(0.1).Within(0.03));
        });
    }

    [Test]
    public void Without_an_injected_random_the_shared_one_is_used()
    {
        var ranker = new QualityRanker(Table(), new EpsilonGreedyPolicy(1));
        var chosen = Enumerable.Range(0, 300).Select(_ => ranker.Rank(new PredictionContext(), Candidates).Chosen.Name).Distinct().Count();
        Assert.That(chosen, Is.EqualTo(3));
    }

    [Test]
    public void No_candidates_is_an_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new QualityRanker(Table()).Rank(new PredictionContext(), []));
        Assert.That(error!.Message, Does.Contain("At least one candidate"));
    }

    [Test]
    public void Duplicate_names_are_an_error_naming_the_candidate_and_both_positions()
    {
        RankingCandidate[] candidates = [RankingCandidate.ForModel("p", "a"), RankingCandidate.ForModel("p", "b"), RankingCandidate.ForModel("p", "a", cost: 3)];
        var error = Assert.Throws<ArgumentException>(() => new QualityRanker(Table()).Rank(new PredictionContext(), candidates));
        Assert.That(error!.Message, Does.Contain("'p/a'").And.Contain("index 0").And.Contain("index 2"));
    }

    [Test]
    public void A_null_candidate_is_an_error_naming_its_index()
    {
        var error = Assert.Throws<ArgumentException>(() => new QualityRanker(Table()).Rank(new PredictionContext(), [Candidates[0], null!]));
        Assert.That(error!.Message, Does.Contain("index 1"));
    }

    [Test]
    public void Null_arguments_are_rejected()
    {
        var ranker = new QualityRanker(Table());
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentNullException>(() => _ = new QualityRanker(null!));
            Assert.Throws<ArgumentNullException>(() => ranker.Rank(null!, Candidates));
            Assert.Throws<ArgumentNullException>(() => ranker.Rank(new PredictionContext(), null!));
            Assert.Throws<ArgumentNullException>(() => ranker.Rank(new PredictionContext(), Candidates, null!));
        });
    }

    [Test]
    public void A_cost_aware_policy_names_the_candidate_without_a_cost()
    {
        RankingCandidate[] candidates = [RankingCandidate.ForModel("p", "high", cost: 5), RankingCandidate.ForModel("p", "low")];
        var error = Assert.Throws<ArgumentException>(() => new QualityRanker(Table(), new QualityPerCostPolicy()).Rank(new PredictionContext(), candidates));
        Assert.That(error!.Message, Does.Contain("'p/low'").And.Contain("quality-per-cost"));
    }

    [Test]
    public void A_non_finite_score_from_the_predictor_is_reported_naming_the_candidate()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new QualityRanker(new NaNPredictor()).Rank(new PredictionContext(), Candidates));
        Assert.That(error!.Message, Does.Contain("'p/low'").And.Contain("non-finite"));
    }

    [Test]
    public void A_policy_that_chooses_outside_the_candidates_is_reported()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new QualityRanker(Table(), new OutOfRangePolicy()).Rank(new PredictionContext(), Candidates));
        Assert.That(error!.Message, Does.Contain("index 7"));
    }

    [Test]
    public void Cancellation_is_observed()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => new QualityRanker(Table()).Rank(new PredictionContext(), Candidates, cancelled.Token));
    }

    private sealed class OutOfRangePolicy : RankingPolicy
    {
        public override string Name => "broken";

        public override int Choose(IReadOnlyList<RankedCandidate> candidates, Random random) => 7;

        public override double GetSelectionProbability(IReadOnlyList<RankedCandidate> candidates, int index) => 1;
    }

    private sealed class NaNPredictor : IQualityPredictor
    {
        public string Name => "nan";

        public QualityPredictionResult Predict(PredictionContext context) =>
            new() { Score = double.NaN, Confidence = 0, Source = PredictionSource.Default };

        public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Predict(context));

        public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < contexts.Length; i++)
            {
                results[i] = Predict(contexts[i]);
            }
        }
    }
}
