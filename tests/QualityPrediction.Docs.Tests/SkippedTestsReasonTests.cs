using QualityPrediction.Docs.Tests.TestSupport;
using QualityPrediction.Packaging.Tests.TestSupport;

namespace QualityPrediction.Docs.Tests;

/// <summary>
/// README.md says the PostgreSQL tests are skipped "with the reason in `dotnet test`'s output": without QUALITY_PG, the
/// default (minimal) console output of a test run names why and how to enable them, not only "Skipped".
/// </summary>
[TestFixture]
public sealed class SkippedTestsReasonTests
{
    [Test]
    public async Task Without_a_server_dotnet_test_says_why_the_postgresql_tests_are_skipped()
    {
        var project = Path.Combine(MarkdownDoc.Root, "tests", "QualityPrediction.PostgreSql.Tests");
        var dll = Path.Combine(project, "bin", Walkthrough.Configuration, "net10.0", "QualityPrediction.PostgreSql.Tests.dll");
        Assert.That(dll, Does.Exist, "the PostgreSQL tests are built with the solution");
        var environment = new Dictionary<string, string?> { ["QUALITY_PG"] = null, ["QUALITY_PG_CTL"] = null, ["QUALITY_PG_DATA"] = null, ["CI"] = null };
        var run = await ProcessRunner.RunAsync("dotnet", ["test", dll, "--filter", "FullyQualifiedName~Migration"], MarkdownDoc.Root, TimeSpan.FromMinutes(5), environment);
        Assert.That(run.Output, Does.Contain("Skipped"), run.Output);
        Assert.That(run.Output, Does.Contain("PostgreSQL tests skipped: QUALITY_PG is not set").And.Contain("source .ci/postgres.sh"), run.Output);
    }
}
