using QualityPrediction.Reliability.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests;

/// <summary>Trains the fixture models once for every test in this assembly.</summary>
[SetUpFixture]
public sealed class ReliabilitySetUp
{
    [OneTimeSetUp]
    public void Train() => Fixtures.Train();

    [OneTimeTearDown]
    public void Cleanup() => Fixtures.Cleanup();
}
