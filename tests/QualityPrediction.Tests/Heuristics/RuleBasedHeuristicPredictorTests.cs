using QualityPrediction.Heuristics;

namespace QualityPrediction.Tests.Heuristics;

public sealed class RuleBasedHeuristicPredictorTests
{
    private static HeuristicRules Rules() => new()
    {
        BaseScore = 70,
        Adjustments =
        {
            ["provider"] = new Dictionary<string, double> { ["openai"] = 3, ["mistral"] = -2 },
            ["actionType"] = new Dictionary<string, double> { ["combat"] = 5 },
        },
        Numeric = { ["statValue"] = new NumericRule { Weight = 0.5, Center = 10 } },
        Confidence = 0.4,
        IntervalHalfWidth = 12,
    };

    [Test]
    public void Score_is_base_plus_adjustments_plus_weighted_numeric_terms()
    {
        var predictor = new RuleBasedHeuristicPredictor(Rules(), ScoreRange.Percent, 5);

        var result = predictor.Predict(new PredictionContext().WithProvider("openai").WithActionType("combat").WithStat("wits", 16));

        Assert.That(result.Score, Is.EqualTo(70 + 3 + 5 + (0.5 * (16 - 10))));
        Assert.That(result.Interval, Is.EqualTo(new PredictionInterval(81 - 12, 81 + 12, 0)));
        Assert.That(result.Confidence, Is.EqualTo(0.4));
        Assert.That(result.ConfidenceKind, Is.EqualTo(ConfidenceKind.Configured));
        Assert.That(result.Source, Is.EqualTo(PredictionSource.Heuristic));
        Assert.That(result.Basis, Is.EqualTo("rules"));
        Assert.That(result.ModelName, Is.EqualTo("heuristic"));
    }

    [Test]
    public void Missing_features_and_unlisted_categories_add_nothing()
    {
        var predictor = new RuleBasedHeuristicPredictor(Rules(), ScoreRange.Percent, 5);

        Assert.That(predictor.Predict(new PredictionContext()).Score, Is.EqualTo(70));
        Assert.That(predictor.Predict(new PredictionContext().WithProvider("other")).Score, Is.EqualTo(70));
    }

    [Test]
    public void Score_and_interval_are_clamped_to_the_range()
    {
        var rules = Rules();
        rules.BaseScore = 98;
        var predictor = new RuleBasedHeuristicPredictor(rules, ScoreRange.Percent, 5);

        var result = predictor.Predict(new PredictionContext().WithProvider("openai"));

        Assert.That(result.Score, Is.EqualTo(100));
        Assert.That(result.Interval, Is.EqualTo(new PredictionInterval(88, 100, 0)));
    }

    [Test]
    public void The_rules_are_copied_at_construction()
    {
        var rules = Rules();
        var predictor = new RuleBasedHeuristicPredictor(rules, ScoreRange.Percent, 5);

        rules.BaseScore = 10;
        rules.Adjustments["provider"]["openai"] = 50;

        Assert.That(predictor.Predict(new PredictionContext().WithProvider("openai")).Score, Is.EqualTo(73));
    }

    [Test]
    public void A_feature_of_the_wrong_kind_is_an_argument_exception_naming_it()
    {
        var predictor = new RuleBasedHeuristicPredictor(Rules(), ScoreRange.Percent, 5);

        Assert.That(() => predictor.Predict(new PredictionContext { ["provider"] = 1 }), Throws.ArgumentException.With.Message.Contains("'provider'"));
        Assert.That(() => predictor.Predict(new PredictionContext { ["statValue"] = "high" }), Throws.ArgumentException.With.Message.Contains("'statValue'").And.Message.Contains("numeric"));
    }

    [TestCase(1.5, 10)]
    [TestCase(-0.1, 10)]
    [TestCase(0.5, -1)]
    [TestCase(0.5, double.NaN)]
    public void Invalid_rules_are_rejected(double confidence, double halfWidth)
    {
        var rules = Rules();
        rules.Confidence = confidence;
        rules.IntervalHalfWidth = halfWidth;

        Assert.Throws<ArgumentException>(() => _ = new RuleBasedHeuristicPredictor(rules, ScoreRange.Percent, 5));
    }

    [Test]
    public void A_null_context_is_an_argument_null_exception()
    {
        var predictor = new RuleBasedHeuristicPredictor(Rules(), ScoreRange.Percent, 5);

        Assert.Throws<ArgumentNullException>(() => predictor.Predict(null!));
    }
}
