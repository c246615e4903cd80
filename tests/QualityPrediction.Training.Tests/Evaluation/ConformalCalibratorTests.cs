using QualityPrediction.Training.Evaluation;

namespace QualityPrediction.Training.Tests.Evaluation;

public sealed class ConformalCalibratorTests
{
    [Test]
    public void Intervals_CoverFreshRowsAtTheNominalRate_WithHeteroscedasticNoise()
    {
        var random = new Random(11);
        (double[] P, double[] A) Sample(int n)
        {
            var p = new double[n];
            var a = new double[n];
            for (var i = 0; i < n; i++)
            {
                p[i] = random.NextDouble() * 10;
                var sd = 0.2 + (0.2 * p[i]); // wider noise for higher scores
                a[i] = p[i] + (sd * Gaussian(random));
            }

            return (p, a);
        }

        var (calP, calA) = Sample(3000);
        var (newP, newA) = Sample(5000);

        var calibration = ConformalCalibrator.Fit(calP, calA, coverage: 0.9, tolerance: 0.5);
        var (coverage, error) = ConformalCalibrator.Measure(calibration, newP, newA);

        Assert.That(calibration.Bins, Has.Count.EqualTo(5));
        Assert.That(coverage, Is.InRange(0.88, 0.92));
        Assert.That(calibration.Bins[^1].Upper - calibration.Bins[^1].Lower, Is.GreaterThan(2 * (calibration.Bins[0].Upper - calibration.Bins[0].Lower)), "Mondrian bins follow the noise");
        Assert.That(calibration.Bins[0].WithinTolerance, Is.GreaterThan(calibration.Bins[^1].WithinTolerance), "confidence is higher where noise is lower");
        Assert.That(error, Is.LessThan(0.03));
    }

    [Test]
    public void Fit_UsesTheFiniteSampleConformalRank()
    {
        // 9 residuals 1..9, coverage 0.8: upper rank ceil(10 × 0.9) = 9 → 9; lower rank floor(10 × 0.1) = 1 → 1.
        double[] predicted = [0, 0, 0, 0, 0, 0, 0, 0, 0];
        double[] actual = [1, 2, 3, 4, 5, 6, 7, 8, 9];

        var calibration = ConformalCalibrator.Fit(predicted, actual, coverage: 0.8, tolerance: 3);

        Assert.That(calibration.Bins, Has.Count.EqualTo(1));
        Assert.That(calibration.Bins[0].Lower, Is.EqualTo(1));
        Assert.That(calibration.Bins[0].Upper, Is.EqualTo(9));
        Assert.That(calibration.Bins[0].WithinTolerance, Is.EqualTo(3.0 / 9).Within(1e-12));
        Assert.That(calibration.Rows, Is.EqualTo(9));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
