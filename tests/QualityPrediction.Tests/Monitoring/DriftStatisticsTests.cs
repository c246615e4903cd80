using QualityPrediction.Monitoring;

namespace QualityPrediction.Tests.Monitoring;

public class DriftStatisticsTests
{
    [Test]
    public void Psi_matches_a_hand_computed_example()
    {
        // (0.50-0.25)ln(0.50/0.25) + (0.25-0.25)ln(1) + (0.25-0.50)ln(0.25/0.50) = 0.5 ln 2
        var psi = DriftStatistics.PopulationStabilityIndex([0.25, 0.25, 0.5], [0.5, 0.25, 0.25]);
        Assert.That(psi, Is.EqualTo(0.5 * Math.Log(2)).Within(1e-12));
        Assert.That(psi, Is.EqualTo(0.346574).Within(1e-6));
    }

    [Test]
    public void Psi_normalizes_counts_and_is_zero_for_identical_distributions()
    {
        Assert.That(DriftStatistics.PopulationStabilityIndex([0.25, 0.25, 0.5], [2, 2, 4]), Is.EqualTo(0).Within(1e-12));
        Assert.That(DriftStatistics.PopulationStabilityIndex([1, 1, 2], [50, 25, 25]), Is.EqualTo(0.5 * Math.Log(2)).Within(1e-12));
    }

    [Test]
    public void Psi_replaces_an_empty_bin_by_the_documented_floor()
    {
        // Bin 3 is empty in training: e = 1e-4. (0.25-1e-4) ln(0.25/1e-4) + (0.25-0.5) ln(0.5) = 2.12851589...
        var psi = DriftStatistics.PopulationStabilityIndex([0.5, 0.5, 0], [0.5, 0.25, 0.25]);
        Assert.That(psi, Is.EqualTo(2.1285158932529735).Within(1e-9));
    }

    [Test]
    public void Psi_rejects_mismatched_or_empty_distributions()
    {
        Assert.Throws<ArgumentException>(() => DriftStatistics.PopulationStabilityIndex([1, 2], [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => DriftStatistics.PopulationStabilityIndex([0, 0], [1, 2]));
        Assert.Throws<ArgumentException>(() => DriftStatistics.PopulationStabilityIndex([1, -1], [1, 2]));
    }

    [TestCase(5, 0)]
    [TestCase(10, 0)]
    [TestCase(10.5, 1)]
    [TestCase(20, 1)]
    [TestCase(25, 2)]
    public void BinOf_follows_the_manifest_convention(double value, int bin)
    {
        Assert.That(DriftStatistics.BinOf([10, 20], value), Is.EqualTo(bin));
    }
}
