using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using QualityPrediction.Heuristics;
using QualityPrediction.Monitoring;
using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

public sealed class RankingObserversTests
{
    [Test]
    public void Observers_of_the_composed_predictor_record_only_the_chosen_prediction_with_its_selection_probability()
    {
        var recorder = new RecordingObserver();
        var services = new ServiceCollection();
        services.AddSingleton<IPredictionObserver>(recorder);
        services.AddQualityPrediction(o =>
        {
            o.Heuristic.Mode = HeuristicMode.Rules;
            o.Heuristic.Rules.Adjustments["model"] = new Dictionary<string, double> { ["a"] = 10, ["b"] = 0, ["c"] = -10 };
        });
        using var provider = services.BuildServiceProvider();
        var ranker = new QualityRanker(provider.GetRequiredService<IQualityPredictor>(), new EpsilonGreedyPolicy(0.3), new Random(3));

        var result = ranker.Rank(new PredictionContext().WithActionType("combat"), [
            new RankingCandidate("a", new Dictionary<string, FeatureValue> { ["model"] = "a" }),
            new RankingCandidate("b", new Dictionary<string, FeatureValue> { ["model"] = "b" }),
            new RankingCandidate("c", new Dictionary<string, FeatureValue> { ["model"] = "c" }),
        ]);

        Assert.That(recorder.Seen, Has.Count.EqualTo(1), "only the chosen candidate's prediction is recorded");
        var (context, recorded) = recorder.Seen.Single();
        Assert.Multiple(() =>
        {
            Assert.That(recorded.PredictionId, Is.EqualTo(result.ChosenPrediction.PredictionId));
            Assert.That(recorded.SelectionProbability, Is.EqualTo(result.SelectionProbability));
            Assert.That(recorded.SelectionProbability, Is.GreaterThan(0).And.LessThanOrEqualTo(1));
            Assert.That(context.TryGetCategory("model", out var model) ? model : null, Is.EqualTo(result.Chosen.Name));
        });
    }

    private sealed class RecordingObserver : IPredictionObserver
    {
        public ConcurrentQueue<(PredictionContext Context, QualityPredictionResult Result)> Seen { get; } = new();

        public void OnPrediction(string predictorName, PredictionContext context, QualityPredictionResult result) => Seen.Enqueue((context, result));
    }
}
