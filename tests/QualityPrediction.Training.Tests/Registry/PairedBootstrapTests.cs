using QualityPrediction.Training.Registry;

namespace QualityPrediction.Training.Tests.Registry;

public sealed class PairedBootstrapTests
{
    [Test]
    public void Compare_ConstantImprovement_HasADegenerateIntervalBelowZero()
    {
        double[] candidate = [1, 2, 3, 4, 5];
        double[] baseline = [1.5, 2.5, 3.5, 4.5, 5.5];

        var result = PairedBootstrap.Compare(candidate, baseline, samples: 500);

        Assert.That(result.Difference, Is.EqualTo(-0.5).Within(1e-12));
        Assert.That(result.Lower, Is.EqualTo(-0.5).Within(1e-12));
        Assert.That(result.Upper, Is.EqualTo(-0.5).Within(1e-12));
        Assert.That(result.BetterBeyondNoise, Is.True);
    }

    [Test]
    public void Compare_NoisyDifferencesAroundZero_IsNotBetterBeyondNoise()
    {
        double[] candidate = [1, 0, 1, 0, 1, 0, 1, 0];
        double[] baseline = [0, 1, 0, 1, 0, 1, 0, 1];

        var result = PairedBootstrap.Compare(candidate, baseline);

        Assert.That(result.Lower, Is.LessThan(0));
        Assert.That(result.Upper, Is.GreaterThan(0));
        Assert.That(result.BetterBeyondNoise || result.WorseBeyondNoise, Is.False);
    }

    [Test]
    public void Compare_DifferentLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Compare([1], [1, 2]));
    }
}
