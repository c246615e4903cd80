using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

public sealed class RankingCandidateTests
{
    [Test]
    public void ForModel_names_the_pair_and_sets_provider_and_model()
    {
        var candidate = RankingCandidate.ForModel("openai", "gpt-4o-mini", cost: 0.15);

        Assert.Multiple(() =>
        {
            Assert.That(candidate.Name, Is.EqualTo("openai/gpt-4o-mini"));
            Assert.That(candidate.Features[WellKnownFeatures.Provider].Category, Is.EqualTo("openai"));
            Assert.That(candidate.Features[WellKnownFeatures.Model].Category, Is.EqualTo("gpt-4o-mini"));
            Assert.That(candidate.Cost, Is.EqualTo(0.15));
        });
    }

    [Test]
    public void Features_are_copied_at_construction()
    {
        var features = new Dictionary<string, FeatureValue> { ["model"] = "a" };
        var candidate = new RankingCandidate("a", features);
        features["model"] = "changed";

        Assert.That(candidate.Features["model"].Category, Is.EqualTo("a"));
    }

    [TestCase(-0.01)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void A_negative_or_non_finite_cost_is_rejected_naming_the_candidate(double cost)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RankingCandidate("cheap", cost: cost));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ParamName, Is.EqualTo("cost"));
            Assert.That(error.Message, Does.Contain("'cheap'"));
        });
    }

    [Test]
    public void A_cost_of_zero_is_allowed()
    {
        Assert.That(new RankingCandidate("free", cost: 0).Cost, Is.Zero);
    }

    [TestCase("")]
    [TestCase("  ")]
    public void An_empty_name_is_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => _ = new RankingCandidate(name));
    }

    [Test]
    public void A_feature_given_twice_is_rejected_naming_it()
    {
        KeyValuePair<string, FeatureValue>[] features = [new("model", "a"), new("model", "b")];
        var error = Assert.Throws<ArgumentException>(() => _ = new RankingCandidate("x", features));
        Assert.That(error!.Message, Does.Contain("'model'").And.Contain("'x'"));
    }

    [Test]
    public void A_feature_with_an_empty_name_is_rejected()
    {
        KeyValuePair<string, FeatureValue>[] features = [new(" ", "a")];
        Assert.Throws<ArgumentException>(() => _ = new RankingCandidate("x", features));
    }
}
