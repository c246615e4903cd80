using QualityPrediction.Training.Data;

namespace QualityPrediction.Training.Tests.Data;

public sealed class RowWeightsTests
{
    private static TrainingData Logged(params (double A, double? P, double? W)[] rows)
    {
        var contexts = new List<PredictionContext>();
        for (var i = 0; i < rows.Length; i++)
        {
            var context = new PredictionContext { ["a"] = rows[i].A };
            if (rows[i].P is { } p)
            {
                context.Set("p", p);
            }

            if (rows[i].W is { } w)
            {
                context.Set("w", w);
            }

            contexts.Add(context);
        }

        return new TrainingData(
            "y",
            contexts,
            [.. rows.Select((_, i) => (double)i)],
            [.. rows.Select((_, i) => $"log.jsonl:{i + 1}")],
            [new DataColumn("a", FeatureKind.Numeric), new DataColumn("p", FeatureKind.Numeric), new DataColumn("w", FeatureKind.Numeric)])
        {
            Sources = ["log.jsonl"],
            Sha256 = "abc",
        };
    }

    [Test]
    public void Apply_WeightsByClippedInversePropensityTimesWeight_AndDropsTheColumnsFromTheFeatures()
    {
        var data = Logged((1, 0.5, 2), (2, 0.01, 1), (3, 1, 0.5));

        var weighted = RowWeights.Apply(data, new RowWeightOptions { WeightColumn = "w", PropensityColumn = "p" });

        Assert.Multiple(() =>
        {
            Assert.That(weighted.Weights, Is.EqualTo(new[] { 4.0, 20, 0.5 }), "1/0.01 = 100 is clipped at the default 20");
            Assert.That(weighted.WeightSource, Is.EqualTo("w × min(1/p, 20)"));
            Assert.That(weighted.Columns.Select(c => c.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(weighted.Contexts.Select(c => c.Names.Single()), Is.All.EqualTo("a"));
            Assert.That(data.Contexts[0].Contains("p"), Is.True, "the input is not changed");
            Assert.That(weighted.Targets, Is.EqualTo(data.Targets));
            Assert.That(weighted.Sha256, Is.EqualTo("abc"));
            Assert.That(weighted.IgnoredFields, Is.EqualTo(new[] { "p: row weight", "w: row weight" }));
        });
    }

    [Test]
    public void Apply_ClipsAtTheConfiguredMaximum_AndSubsetKeepsTheWeights()
    {
        var data = Logged((1, 0.25, null), (2, 0.5, null), (3, 0.05, null));

        var weighted = RowWeights.Apply(data, new RowWeightOptions { PropensityColumn = "p", MaxInverseProbability = 10 });

        Assert.That(weighted.Weights, Is.EqualTo(new[] { 4.0, 2, 10 }));
        Assert.That(weighted.Subset([2, 0]).Weights, Is.EqualTo(new[] { 10.0, 4 }));
    }

    [Test]
    public void Apply_WithoutColumns_ReturnsTheDataUnweighted()
    {
        var data = Logged((1, 0.5, 1));

        Assert.That(RowWeights.Apply(data, new RowWeightOptions()), Is.SameAs(data));
        Assert.That(data.Weights, Is.Null);
    }

    [TestCase(0.0, "log.jsonl:2: the selection probability 'p' is 0; it must lie in (0, 1].")]
    [TestCase(1.5, "log.jsonl:2: the selection probability 'p' is 1.5; it must lie in (0, 1].")]
    public void Apply_ProbabilityOutsideZeroOne_NamesTheRow(double p, string message)
    {
        var data = Logged((1, 0.5, 1), (2, p, 1));

        var ex = Assert.Throws<ArgumentException>(() => RowWeights.Apply(data, new RowWeightOptions { PropensityColumn = "p" }));
        Assert.That(ex!.Message, Does.StartWith(message));
    }

    [Test]
    public void Apply_NegativeWeightOrMissingValue_NamesTheRowAndColumn()
    {
        var negative = Assert.Throws<ArgumentException>(() => RowWeights.Apply(Logged((1, 0.5, 1), (2, 0.5, -1)), new RowWeightOptions { WeightColumn = "w" }));
        var missing = Assert.Throws<ArgumentException>(() => RowWeights.Apply(Logged((1, 0.5, 1), (2, null, 1), (3, 0.5, 1)), new RowWeightOptions { PropensityColumn = "p" }));

        Assert.That(negative!.Message, Does.StartWith("log.jsonl:2: the weight 'w' is -1; weights must be ≥ 0."));
        Assert.That(missing!.Message, Does.StartWith("log.jsonl:2: the row has no selection probability in column 'p'."));
    }

    [Test]
    public void Apply_UnknownOrCategoricalColumn_OrTheTarget_IsAnError()
    {
        var data = Logged((1, 0.5, 1));
        var categorical = new TrainingData("y", [new PredictionContext { ["p"] = "high" }], [1], ["x:1"], [new DataColumn("p", FeatureKind.Categorical)]);

        var unknown = Assert.Throws<ArgumentException>(() => RowWeights.Apply(data, new RowWeightOptions { PropensityColumn = "selectionProbability" }));
        var text = Assert.Throws<ArgumentException>(() => RowWeights.Apply(categorical, new RowWeightOptions { PropensityColumn = "p" }));
        var target = Assert.Throws<ArgumentException>(() => RowWeights.Apply(data, new RowWeightOptions { WeightColumn = "y" }));
        var clip = Assert.Throws<ArgumentException>(() => RowWeights.Apply(data, new RowWeightOptions { PropensityColumn = "p", MaxInverseProbability = 0.5 }));

        Assert.That(unknown!.Message, Does.StartWith("The propensity column 'selectionProbability' is not in the data (columns: a, p, w)."));
        Assert.That(text!.Message, Does.StartWith("The propensity column 'p' is categorical; it must hold numbers."));
        Assert.That(target!.Message, Does.StartWith("The target 'y' cannot be a weight or propensity column."));
        Assert.That(clip!.Message, Does.Contain("≥ 1"));
    }

    [Test]
    public void Apply_AllWeightsZero_IsAnError()
    {
        var ex = Assert.Throws<ArgumentException>(() => RowWeights.Apply(Logged((1, 0.5, 0), (2, 0.5, 0)), new RowWeightOptions { WeightColumn = "w" }));

        Assert.That(ex!.Message, Does.StartWith("Every row has weight 0"));
    }
}
