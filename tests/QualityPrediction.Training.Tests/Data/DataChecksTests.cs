using QualityPrediction.Training.Data;

namespace QualityPrediction.Training.Tests.Data;

public sealed class DataChecksTests
{
    [Test]
    public void Run_FlagsIdenticalVectorsConstantFeaturesLeaksAndDuplicates()
    {
        var contexts = new List<PredictionContext>();
        var targets = new List<double>();
        var random = new Random(3);
        for (var i = 0; i < 100; i++)
        {
            var identical = i < 60;
            var y = 50 + (random.NextDouble() * 10);
            contexts.Add(new PredictionContext
            {
                ["a"] = identical ? 75.0 : random.NextDouble() * 100,
                ["leak"] = y,
                ["team"] = "demo",
                ["provider"] = identical && i % 2 == 0 ? "openai" : "gemini",
            });
            targets.Add(y);
        }

        contexts.Add(contexts[^1].Clone());
        targets.Add(targets[^1]);
        var data = new TrainingData("y", contexts, targets, [.. contexts.Select((_, i) => $"f:{i + 2}")],
            [new DataColumn("a", FeatureKind.Numeric), new DataColumn("leak", FeatureKind.Numeric), new DataColumn("team", FeatureKind.Categorical), new DataColumn("provider", FeatureKind.Categorical)]);

        // "leak" equals the target, so no two rows have identical full vectors except the copy; drop it for the group check.
        var report = DataChecks.Run(data);

        Assert.That(report.TargetLikeFeatures, Is.EqualTo(new[] { "leak" }));
        Assert.That(report.ConstantFeatures, Is.EqualTo(new[] { "team" }));
        Assert.That(report.DuplicateRows, Is.EqualTo(1));
        Assert.That(report.Warnings, Has.Some.Contains("feature 'team' is constant"));
    }

    [Test]
    public void Run_IdenticalNumericVectorDifferingOnlyInACategory_IsFlaggedAsOneGroup()
    {
        var contexts = new List<PredictionContext>();
        var targets = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var identical = i < 40;
            contexts.Add(new PredictionContext { ["a"] = identical ? 1.0 : i, ["b"] = identical ? 2.0 : -i, ["provider"] = i % 4 == 0 ? "x" : "y" });
            targets.Add(i);
        }

        var data = new TrainingData("y", contexts, targets, [.. contexts.Select((_, i) => $"f:{i + 2}")],
            [new DataColumn("a", FeatureKind.Numeric), new DataColumn("b", FeatureKind.Numeric), new DataColumn("provider", FeatureKind.Categorical)]);

        var report = DataChecks.Run(data);

        Assert.That(report.LargestIdenticalGroup, Is.EqualTo(30));
        Assert.That(report.LargestIdenticalNumericGroup, Is.EqualTo(40));
        Assert.That(report.IdenticalGroupRows, Has.Count.EqualTo(40));
        Assert.That(report.Warnings, Has.Some.Contains("40 rows (80.0 %) share one identical numeric feature vector (a=1, b=2), first at f:2"));
    }
}
