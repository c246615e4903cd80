using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Tests.Ranking.Internal;

public sealed class NormalDistributionTests
{
    // Reference values of Φ to 15+ digits.
    [TestCase(0.0, 0.5)]
    [TestCase(1.0, 0.8413447460685429)]
    [TestCase(-1.0, 0.15865525393145707)]
    [TestCase(1.6448536269514722, 0.95)]
    [TestCase(-3.0, 0.0013498980316300946)]
    [TestCase(-6.0, 9.865876450376946e-10)]
    [TestCase(-10.0, 7.61985302416047e-24)]
    public void Cdf_matches_reference_values_to_relative_precision(double z, double expected)
    {
        Assert.That(NormalDistribution.Cdf(z), Is.EqualTo(expected).Within(1e-12 * expected));
    }

    [TestCase(0.5)]
    [TestCase(0.95)]
    [TestCase(0.975)]
    [TestCase(1e-9)]
    [TestCase(0.999999)]
    public void Quantile_inverts_the_cdf(double p)
    {
        Assert.That(NormalDistribution.Cdf(NormalDistribution.Quantile(p)), Is.EqualTo(p).Within(1e-13 * Math.Max(p, 1e-3)));
    }

    [Test]
    public void Quantile_rejects_probabilities_outside_the_open_unit_interval()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => NormalDistribution.Quantile(0));
            Assert.Throws<ArgumentOutOfRangeException>(() => NormalDistribution.Quantile(1));
            Assert.Throws<ArgumentOutOfRangeException>(() => NormalDistribution.Quantile(double.NaN));
        });
    }

    [Test]
    public void Samples_have_mean_zero_and_variance_one()
    {
        var random = new Random(17);
        var draws = Enumerable.Range(0, 100_000).Select(_ => NormalDistribution.Sample(random)).ToArray();
        var mean = draws.Average();
        var variance = draws.Sum(d => (d - mean) * (d - mean)) / (draws.Length - 1);

        Assert.Multiple(() =>
        {
            Assert.That(mean, Is.EqualTo(0).Within(0.015));
            Assert.That(variance, Is.EqualTo(1).Within(0.02));
            Assert.That(draws.Count(d => d > 1.6448536269514722) / (double)draws.Length, Is.EqualTo(0.05).Within(0.004));
        });
    }
}
