using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests;

/// <summary>Trains the fixture models once for every test in this assembly.</summary>
[SetUpFixture]
public sealed class RuntimesSetUp
{
    [OneTimeSetUp]
    public void Train() => Fixtures.Train();

    [OneTimeTearDown]
    public void Cleanup() => Fixtures.Cleanup();
}
