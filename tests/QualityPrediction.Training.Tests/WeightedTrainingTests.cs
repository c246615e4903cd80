using QualityPrediction.Training.Data;
using QualityPrediction.Training.Evaluation;

namespace QualityPrediction.Training.Tests;

/// <summary>Inverse-propensity weighting in <see cref="ModelTrainer"/>: the fit and the metrics honour the row weights.</summary>
public sealed class WeightedTrainingTests
{
    private static readonly Trainers.TrainerConfig Boosting = new("lightgbm-small", Trainers.TrainerKind.LightGbm, new Dictionary<string, double> { ["iterations"] = 60, ["leaves"] = 4, ["learningRate"] = 0.2, ["minLeafRows"] = 5 });

    /// <summary>
    /// Two contexts. For x = 0 the quality is about 5. For x = 1 the logging policy chose a candidate that scores about 0
    /// with p = 0.9 and one that scores about 10 with p = 0.1; the log holds as many rows of each (alternately), and the
    /// recorded p is in column "p" (1 for x = 0).
    /// </summary>
    private static TrainingData Logged()
    {
        var random = new Random(3);
        var contexts = new List<PredictionContext>();
        var targets = new List<double>();
        for (var i = 0; i < 240; i++)
        {
            var x = i % 2;
            var rare = (i / 2) % 2 == 1;
            var p = x == 0 ? 1 : rare ? 0.1 : 0.9;
            var y = (x == 0 ? 5 : rare ? 10 : 0) + ((random.NextDouble() - 0.5) * 0.2);
            contexts.Add(new PredictionContext { ["x"] = x, ["p"] = p });
            targets.Add(y);
        }

        return new TrainingData("y", contexts, targets, [.. targets.Select((_, i) => $"log:{i + 2}")],
            [new DataColumn("x", FeatureKind.Numeric), new DataColumn("p", FeatureKind.Numeric)])
        {
            Sources = ["generated"],
            Sha256 = "generated",
        };
    }

    [Test]
    public void Train_WithWeights_LeavesSdcaOutOfTheSearch_AndRefusesSdcaAlone()
    {
        var weighted = RowWeights.Apply(Logged(), new RowWeightOptions { PropensityColumn = "p" });

        var ex = Assert.Throws<ArgumentException>(() => ModelTrainer.Train(weighted, ModelTrainerTests.Small(ModelTrainerTests.Linear)));
        var mixed = ModelTrainer.Train(weighted, ModelTrainerTests.Small(ModelTrainerTests.Linear, Boosting));

        Assert.That(ex!.Message, Does.Contain("Sdca does not train reliably with row weights"));
        Assert.That(mixed.Configurations.Select(c => c.Config.Name), Is.EqualTo(new[] { "lightgbm-small" }));
    }

    [Test]
    public void Train_WithInversePropensityWeights_FitsTheReweightedMean_AndWeightsTheMetrics()
    {
        var logged = Logged();
        var unweighted = RowWeights.Apply(logged, new RowWeightOptions { WeightColumn = null });
        var weighted = RowWeights.Apply(logged, new RowWeightOptions { PropensityColumn = "p" });
        var withoutP = new TrainingData(logged.Target, [.. logged.Contexts.Select(c => { var copy = c.Clone(); copy.Remove("p"); return copy; })], logged.Targets, logged.Locations, [.. logged.Columns.Where(c => c.Name != "p")])
        {
            Sources = logged.Sources,
            Sha256 = logged.Sha256,
        };
        Assert.That(unweighted, Is.SameAs(logged));

        var plain = ModelTrainer.Train(withoutP, ModelTrainerTests.Small(Boosting));
        var ipw = ModelTrainer.Train(weighted, ModelTrainerTests.Small(Boosting));

        // At x = 1 the log holds as many rows of each choice; 1/p weights them 1.11 : 10, so the weighted mean is
        // (1.11·0 + 10·10) / 11.11 = 9.0, the unweighted one 5.
        var atOne = Enumerable.Range(0, logged.Count).Where(i => i % 2 == 1).ToArray();
        var plainAtOne = atOne.Average(i => plain.OutOfFold.Predicted[i]);
        var ipwAtOne = atOne.Average(i => ipw.OutOfFold.Predicted[i]);
        Assert.Multiple(() =>
        {
            Assert.That(plainAtOne, Is.EqualTo(5).Within(0.2));
            Assert.That(ipwAtOne, Is.EqualTo(9).Within(0.2));
            Assert.That(ipw.Manifest.Trainer!.Parameters["rowWeights"], Is.EqualTo("min(1/p, 20)"));
            Assert.That(plain.Manifest.Trainer!.Parameters.ContainsKey("rowWeights"), Is.False);
            Assert.That(ipw.Manifest.Features.Select(f => f.Name), Does.Not.Contain("p"));
        });

        // The weighted metrics of the weighted model equal RegressionMetrics over the same predictions with the same weights.
        var expected = RegressionMetrics.Compute(ipw.OutOfFold.Actual, ipw.OutOfFold.Predicted, ipw.Tolerances, weighted.Weights);
        Assert.That(ipw.CrossValidation.Mae, Is.EqualTo(expected.Mae).Within(1e-9));
        Assert.That(ipw.CrossValidation.Mae, Is.Not.EqualTo(RegressionMetrics.Compute(ipw.OutOfFold.Actual, ipw.OutOfFold.Predicted, ipw.Tolerances).Mae).Within(1e-6));
    }
}
