using QualityPrediction.Trees.Tests.TestSupport;

namespace QualityPrediction.Trees.Tests;

/// <summary>Deletes the models trained for this test run (each is trained at its first use and shared).</summary>
[SetUpFixture]
public sealed class TreesSetUp
{
    [OneTimeTearDown]
    public void Cleanup() => TrainedArtifacts.Cleanup();
}
