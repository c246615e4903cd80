using Microsoft.Extensions.Time.Testing;
using QualityPrediction.Heuristics;
using QualityPrediction.Tests.TestSupport;

namespace QualityPrediction.Tests.Heuristics;

public sealed class FittedHeuristicPredictorTests
{
    private static FittedHeuristicModel Fit()
    {
        var (contexts, targets) = OutcomeGenerator.Generate(rowsPerCell: 10, seed: 3);
        return FittedHeuristicModel.Fit(contexts, targets, new HeuristicFitOptions(), ScoreRange.Percent, 5);
    }

    [Test]
    public void Results_carry_source_name_version_timestamp_and_a_fresh_id()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var model = Fit();
        var predictor = new FittedHeuristicPredictor(model, time);

        var first = predictor.Predict(new PredictionContext().WithProvider("openai"));

        Assert.That(first.Source, Is.EqualTo(PredictionSource.Heuristic));
        Assert.That(first.ModelName, Is.EqualTo("heuristic"));
        Assert.That(first.ModelVersion, Is.EqualTo(model.Version));
        Assert.That(first.Timestamp, Is.EqualTo(time.GetUtcNow()));
        Assert.That(first.PredictionId, Is.Not.EqualTo(Guid.Empty));
        Assert.That(predictor.Predict(new PredictionContext().WithProvider("openai")).PredictionId, Is.Not.EqualTo(first.PredictionId));
    }

    [Test]
    public void A_feature_of_the_wrong_kind_is_an_argument_exception_naming_it()
    {
        var predictor = new FittedHeuristicPredictor(Fit());

        var ex = Assert.Throws<ArgumentException>(() => predictor.Predict(new PredictionContext { ["provider"] = "openai", ["actionType"] = 3 }));

        Assert.That(ex!.Message, Does.Contain("'actionType'").And.Contain("categorical"));
    }

    [Test]
    public void Scores_and_intervals_stay_within_the_range()
    {
        var contexts = Enumerable.Range(0, 40).Select(_ => new PredictionContext().WithProvider("p")).ToList();
        var targets = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? 100.0 : 96).ToList();
        var predictor = new FittedHeuristicPredictor(FittedHeuristicModel.Fit(contexts, targets, new HeuristicFitOptions { Coverage = 0.95 }, ScoreRange.Percent, 5));

        var result = predictor.Predict(new PredictionContext().WithProvider("p"));

        Assert.That(result.Score, Is.InRange(96.0, 100.0));
        Assert.That(result.Interval.Upper, Is.EqualTo(100));
        Assert.That(result.Interval.Lower, Is.LessThan(result.Score));
    }

    [Test]
    public void Batch_gives_the_same_answers_as_single_predictions()
    {
        var predictor = new FittedHeuristicPredictor(Fit());
        var (contexts, _) = OutcomeGenerator.Generate(rowsPerCell: 1, seed: 9);
        var results = new QualityPredictionResult[contexts.Count];

        predictor.PredictBatch(contexts.ToArray(), results);

        for (var i = 0; i < contexts.Count; i++)
        {
            var single = predictor.Predict(contexts[i]);
            Assert.That((results[i].Score, results[i].Basis, results[i].Interval), Is.EqualTo((single.Score, single.Basis, single.Interval)));
        }
    }

    [Test]
    public void Batch_rejects_a_short_results_span()
    {
        var predictor = new FittedHeuristicPredictor(Fit());

        Assert.Throws<ArgumentException>(() => predictor.PredictBatch(new[] { new PredictionContext(), new PredictionContext() }, new QualityPredictionResult[1]));
    }
}
