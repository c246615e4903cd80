using Microsoft.Extensions.Time.Testing;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Training.Tests.Registry;

/// <summary>The promotion rule and its record: who, when, the decision and the evidence.</summary>
public sealed class ModelPromotionTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private TempFolder _folder = null!;

    private string Registry => _folder.Path;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    /// <summary>A skill that passes the baseline/heuristic part of the rule (the stand-in manifests carry no metrics).</summary>
    private static readonly ModelSkill Skilled = new(Mae: 1, BaselineMae: 2, HeuristicMae: 1.5);

    private static PromotionOptions Options(bool force = false, string alias = ModelRegistry.Champion, ModelSkill? skill = null) =>
        new() { Force = force, Alias = alias, Skill = skill ?? Skilled, Change = RegistryChange.Now(new FakeTimeProvider(Start), "bob@ci") };

    [Test]
    public void TheFirstVersion_BecomesChampion()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);

        var decision = ModelPromotion.Promote(Registry, "white", "1", Options());

        Assert.That((decision.Promoted, decision.Version, decision.Previous), Is.EqualTo((true, "0001", (string?)null)));
        Assert.That(decision.Decision, Does.Contain("beats the baseline and the heuristic, and there is no other champion"));
        Assert.That(ModelRegistry.ReadAliases(Registry, "white")["champion"], Is.EqualTo("0001"));
    }

    [Test]
    public void AVersionNoBetterThanTheHeuristic_IsRefused_EvenAsTheFirst_AndTheRefusalIsRecorded()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);

        var decision = ModelPromotion.Promote(Registry, "white", "1", Options(skill: new ModelSkill(Mae: 1.6, BaselineMae: 2, HeuristicMae: 1.5)));

        Assert.That(decision.Promoted, Is.False);
        Assert.That(decision.Decision, Does.Contain("is not better than the fitted heuristic (MAE 1.5000)"));
        Assert.That(ModelRegistry.ReadAliases(Registry, "white"), Is.Empty);
        Assert.That(ModelRegistry.ReadHistory(Registry, "white").Single().Action, Is.EqualTo(RegistryActions.PromotionRefused));
    }

    [Test]
    public void AVersionWhoseManifestHasNoMetrics_IsRefused()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);

        var decision = ModelPromotion.Promote(Registry, "white", "1", new PromotionOptions());

        Assert.That(decision.Promoted, Is.False);
        Assert.That(decision.Decision, Does.Contain("no cross-validated metrics"));
    }

    [Test]
    public void ABetterVersion_IsPromoted_WithTheEvidenceInTheHistory()
    {
        RegistryFixture.AddVersion(Registry, "white", 1.0);
        RegistryFixture.AddVersion(Registry, "white", 0.5);
        ModelPromotion.Promote(Registry, "white", "1", Options());

        var decision = ModelPromotion.Promote(Registry, "white", "2", Options());

        Assert.That(decision.Promoted, Is.True);
        Assert.That(decision.Comparison!.BetterBeyondNoise, Is.True);
        Assert.That(ModelRegistry.ReadAliases(Registry, "white")["champion"], Is.EqualTo("0002"));
        var entry = ModelRegistry.ReadHistory(Registry, "white")[^1];
        Assert.Multiple(() =>
        {
            Assert.That((entry.Action, entry.Alias, entry.Version, entry.Previous, entry.By, entry.At), Is.EqualTo((RegistryActions.Promote, "champion", "0002", "0001", "bob@ci", Start)));
            Assert.That(entry.Decision, Does.StartWith("version 0002 beats champion 0001 beyond noise"));
            Assert.That(entry.Evidence!.Rows, Is.EqualTo(60));
            Assert.That(entry.Evidence.CandidateMae, Is.EqualTo(0.5).Within(0.01));
            Assert.That(entry.Evidence.BaselineMae, Is.EqualTo(1.0).Within(0.01));
            Assert.That(entry.Evidence.Upper, Is.LessThan(0));
        });
    }

    [Test]
    public void AWorseVersion_IsRefused_AndTheRefusalIsRecorded_UnlessForced()
    {
        RegistryFixture.AddVersion(Registry, "white", 0.5);
        RegistryFixture.AddVersion(Registry, "white", 1.0);
        ModelPromotion.Promote(Registry, "white", "1", Options());

        var refused = ModelPromotion.Promote(Registry, "white", "2", Options());

        Assert.That(refused.Promoted, Is.False);
        Assert.That(ModelRegistry.ReadAliases(Registry, "white")["champion"], Is.EqualTo("0001"));
        var refusal = ModelRegistry.ReadHistory(Registry, "white")[^1];
        Assert.That((refusal.Action, refusal.Version, refusal.Forced), Is.EqualTo((RegistryActions.PromotionRefused, "0002", false)));
        Assert.That(refusal.Decision, Does.Contain("is not better than champion 0001 beyond noise"));
        Assert.That(refusal.Evidence!.WorseBeyondNoise, Is.True);

        var forced = ModelPromotion.Promote(Registry, "white", "2", Options(force: true));

        Assert.That((forced.Promoted, forced.Forced), Is.EqualTo((true, true)));
        Assert.That(ModelRegistry.ReadAliases(Registry, "white")["champion"], Is.EqualTo("0002"));
        var entry = ModelRegistry.ReadHistory(Registry, "white")[^1];
        Assert.That((entry.Action, entry.Forced), Is.EqualTo((RegistryActions.Promote, true)));
        Assert.That(entry.Decision, Does.EndWith("promoted anyway (--force)"));
    }

    [Test]
    public void AnotherAlias_MovesWithoutTheRule_WithTheComparisonAgainstTheChampionAsEvidence()
    {
        RegistryFixture.AddVersion(Registry, "white", 0.5);
        RegistryFixture.AddVersion(Registry, "white", 1.0);
        ModelPromotion.Promote(Registry, "white", "1", Options());

        var decision = ModelPromotion.Promote(Registry, "white", "2", Options(alias: ModelRegistry.Challenger));

        Assert.That(decision.Promoted, Is.True);
        Assert.That(decision.Decision, Does.StartWith("challenger -> 0002 (vs champion 0001: candidate MAE"));
        Assert.That(ModelRegistry.ReadAliases(Registry, "white"), Is.EqualTo(new Dictionary<string, string> { ["champion"] = "0001", ["challenger"] = "0002" }));
    }

    [Test]
    public void Decide_ChangesNothing()
    {
        RegistryFixture.AddVersion(Registry, "white", 1.0);
        RegistryFixture.AddVersion(Registry, "white", 0.5);
        ModelPromotion.Promote(Registry, "white", "1", Options());

        var decision = ModelPromotion.Decide(Registry, "white", "2", Options());

        Assert.That(decision.Promoted, Is.True);
        Assert.That(ModelRegistry.ReadAliases(Registry, "white")["champion"], Is.EqualTo("0001"));
        Assert.That(ModelRegistry.ReadHistory(Registry, "white"), Has.Count.EqualTo(1));
    }
}
