using QualityPrediction.Training.Evaluation;

namespace QualityPrediction.Training.Tests.Evaluation;

public sealed class WeightedRegressionMetricsTests
{
    [Test]
    public void Compute_WithWeights_CountsEachRowInProportionToItsWeight()
    {
        // Errors 1 and 2 with weights 1 and 3: MAE (1 + 6) / 4, RMSE √((1 + 12) / 4), within 1: 1 / 4.
        var metrics = RegressionMetrics.Compute([0, 0], [1, 2], [1.0], [1, 3]);

        Assert.Multiple(() =>
        {
            Assert.That(metrics.Mae, Is.EqualTo(1.75).Within(1e-12));
            Assert.That(metrics.Rmse, Is.EqualTo(Math.Sqrt(13 / 4.0)).Within(1e-12));
            Assert.That(metrics.AccuracyWithin["1"], Is.EqualTo(0.25).Within(1e-12));
            Assert.That(metrics.Rows, Is.EqualTo(2));
        });
    }

    [Test]
    public void Compute_WithEqualWeights_MatchesTheUnweightedMetrics()
    {
        double[] actual = [3, 5, 8, 1];
        double[] predicted = [2.5, 6, 7, 1.5];

        var plain = RegressionMetrics.Compute(actual, predicted, [0.5, 1]);
        var weighted = RegressionMetrics.Compute(actual, predicted, [0.5, 1], [2, 2, 2, 2]);

        Assert.Multiple(() =>
        {
            Assert.That(weighted.Mae, Is.EqualTo(plain.Mae).Within(1e-12));
            Assert.That(weighted.Rmse, Is.EqualTo(plain.Rmse).Within(1e-12));
            Assert.That(weighted.R2, Is.EqualTo(plain.R2).Within(1e-12));
            Assert.That(weighted.AccuracyWithin, Is.EqualTo(plain.AccuracyWithin));
        });
    }

    [Test]
    public void Compute_RejectsNegativeOrAllZeroOrMismatchedWeights()
    {
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1, 2], [1, 2], [1.0], [1, -1]));
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1, 2], [1, 2], [1.0], [0, 0]));
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1, 2], [1, 2], [1.0], [1]));
    }
}
