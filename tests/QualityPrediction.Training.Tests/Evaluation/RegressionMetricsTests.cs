using QualityPrediction.Training.Evaluation;

namespace QualityPrediction.Training.Tests.Evaluation;

public sealed class RegressionMetricsTests
{
    [Test]
    public void Compute_MatchesHandComputedValues()
    {
        // errors: 0.5, -1, 0, 2 → MAE 3.5/4, MSE (0.25+1+0+4)/4 = 1.3125; mean actual 2.5, SS total 5.
        double[] actual = [1, 2, 3, 4];
        double[] predicted = [0.5, 3, 3, 2];

        var m = RegressionMetrics.Compute(actual, predicted, [0.5, 1.0]);

        Assert.That(m.Rows, Is.EqualTo(4));
        Assert.That(m.Mae, Is.EqualTo(0.875).Within(1e-12));
        Assert.That(m.Rmse, Is.EqualTo(Math.Sqrt(1.3125)).Within(1e-12));
        Assert.That(m.R2, Is.EqualTo(1 - (5.25 / 5)).Within(1e-12));
        Assert.That(m.AccuracyWithin["0.5"], Is.EqualTo(0.5), "|0.5| and |0| are within 0.5 (inclusive)");
        Assert.That(m.AccuracyWithin["1"], Is.EqualTo(0.75));
    }

    [Test]
    public void Skill_IsOneMinusMaeRatio()
    {
        var model = RegressionMetrics.Compute([1, 2], [1.5, 2.5], []);
        var baseline = RegressionMetrics.Compute([1, 2], [2, 1], []);

        Assert.That(model.SkillAgainst(baseline), Is.EqualTo(0.5).Within(1e-12));
    }

    [Test]
    public void Compute_ConstantTargets_GivesZeroR2()
    {
        Assert.That(RegressionMetrics.Compute([2, 2], [1, 3], []).R2, Is.Zero);
    }

    [Test]
    public void Compute_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1, 2], [1], []));
    }
}
