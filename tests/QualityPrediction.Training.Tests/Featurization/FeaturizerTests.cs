using QualityPrediction.Models;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Featurization;

namespace QualityPrediction.Training.Tests.Featurization;

public sealed class FeaturizerTests
{
    private static TrainingData Data()
    {
        var contexts = new List<PredictionContext>();
        var targets = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            var context = new PredictionContext { ["provider"] = i < 20 ? "openai" : i < 28 ? "gemini" : "mistral" };
            if (i % 10 != 0)
            {
                context["x"] = (double)i;
            }

            contexts.Add(context);
            targets.Add(i);
        }

        return new TrainingData("y", contexts, targets, [.. contexts.Select((_, i) => $"t:{i}")], [new DataColumn("x", FeatureKind.Numeric), new DataColumn("provider", FeatureKind.Categorical)]);
    }

    [Test]
    public void Build_KeepsFrequentCategoriesBucketsRareOnesAndImputesTheMean()
    {
        var specs = Featurizer.Build(Data(), new FeaturizerOptions { MinCategoryRows = 5 });

        var x = specs[0];
        var present = Enumerable.Range(0, 30).Where(i => i % 10 != 0).Select(i => (double)i).ToList();
        Assert.That(x.Kind, Is.EqualTo(FeatureEncoding.Numeric));
        Assert.That(x.Impute, Is.EqualTo(present.Average()).Within(1e-12));
        Assert.That(x.Statistics!.MissingShare, Is.EqualTo(0.1).Within(1e-12));
        Assert.That(x.Statistics.Min, Is.EqualTo(1));
        Assert.That(x.Statistics.Max, Is.EqualTo(29));
        Assert.That(x.Statistics.BinEdges, Has.Count.EqualTo(9));
        Assert.That(x.Statistics.BinShares!.Sum(), Is.EqualTo(1).Within(1e-12));

        var provider = specs[1];
        Assert.That(provider.Categories, Is.EqualTo(new[] { "openai", "gemini" }), "frequent first; mistral (2 rows) is below 5");
        Assert.That(provider.RareCategories, Is.EqualTo(new[] { "mistral" }));
        Assert.That(provider.Statistics!.CategoryShares!["(rare)"], Is.EqualTo(2.0 / 30).Within(1e-12));
    }

    [Test]
    public void Encode_UsesRareUnknownAndImputedSlots()
    {
        var specs = Featurizer.Build(Data(), new FeaturizerOptions { MinCategoryRows = 5 });
        var encoder = FeatureEncoder.Create(specs);

        var matrix = Featurizer.Encode(encoder, [
            new PredictionContext { ["x"] = 3.0, ["provider"] = "gemini" },
            new PredictionContext { ["provider"] = "mistral" },
            new PredictionContext { ["x"] = 1.0, ["provider"] = "anthropic" },
        ]);

        // Slots: x, openai, gemini, (rare), (unknown).
        Assert.That(encoder.Length, Is.EqualTo(5));
        Assert.That(matrix[..5], Is.EqualTo(new float[] { 3, 0, 1, 0, 0 }));
        Assert.That(matrix[5..10], Is.EqualTo(new float[] { (float)specs[0].Impute, 0, 0, 1, 0 }));
        Assert.That(matrix[10..15], Is.EqualTo(new float[] { 1, 0, 0, 0, 1 }));
    }

    [Test]
    public void Build_CrossOfTwoCategoricals_GetsPairSlots()
    {
        var contexts = Enumerable.Range(0, 40).Select(i => new PredictionContext { ["p"] = i % 2 == 0 ? "a" : "b", ["m"] = i % 4 < 2 ? "x" : "y" }).ToList();
        var data = new TrainingData("y", contexts, [.. contexts.Select(_ => 1.0)], [.. contexts.Select((_, i) => $"t:{i}")], [new DataColumn("p", FeatureKind.Categorical), new DataColumn("m", FeatureKind.Categorical)]);

        var specs = Featurizer.Build(data, new FeaturizerOptions { MinCategoryRows = 5, Crosses = [("p", "m")] });

        Assert.That(specs[2].Kind, Is.EqualTo(FeatureEncoding.Cross));
        Assert.That(specs[2].Of, Is.EqualTo(new[] { "p", "m" }));
        Assert.That(specs[2].Categories, Has.Count.EqualTo(4));
        var encoder = FeatureEncoder.Create(specs);
        Assert.That(encoder.ClassifyCategory(2, "a" + FeatureSpec.CrossSeparator + "x"), Is.EqualTo(FeatureEncoder.CategorySlot.Known));
    }

    [Test]
    public void Build_CrossOfANumericColumn_Throws()
    {
        Assert.Throws<ArgumentException>(() => Featurizer.Build(Data(), new FeaturizerOptions { Crosses = [("x", "provider")] }));
    }

    [Test]
    public void Build_ListsAtMostAThousandRareCategoriesSoTheManifestStaysLoadable()
    {
        // 5,000 distinct ids, each seen once (the 50 MB manifest of the reliability review kept every one of them).
        var contexts = Enumerable.Range(0, 5000).Select(i => new PredictionContext { ["session"] = $"s-{i:D5}-{new string('x', 40)}" }).ToList();
        var data = new TrainingData("y", contexts, [.. contexts.Select((_, i) => (double)i)], [.. contexts.Select((_, i) => $"t:{i}")], [new DataColumn("session", FeatureKind.Categorical)]);

        var spec = Featurizer.Build(data).Single();
        var encoder = FeatureEncoder.Create(new List<FeatureSpec> { spec });
        var slots = new float[encoder.Length];
        encoder.Encode(contexts[4999], slots);

        Assert.That(spec.RareCategories, Has.Count.EqualTo(1000));
        Assert.That(slots[^1], Is.EqualTo(1), "a rare value beyond the listed ones is encoded as unknown, in training as at serving");
    }
}
