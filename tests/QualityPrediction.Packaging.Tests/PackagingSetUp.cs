namespace QualityPrediction.Packaging.Tests;

/// <summary>Removes what <see cref="PackedFeed"/> made (its packages in the NuGet cache, its scratch folder) after the run.</summary>
[SetUpFixture]
public sealed class PackagingSetUp
{
    [OneTimeTearDown]
    public void CleanUp() => PackedFeed.CleanUp();
}
