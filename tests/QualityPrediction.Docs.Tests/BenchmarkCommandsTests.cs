using System.Text.RegularExpressions;
using QualityPrediction.Docs.Tests.TestSupport;
using QualityPrediction.Packaging.Tests.TestSupport;

namespace QualityPrediction.Docs.Tests;

/// <summary>
/// docs/benchmarks.md's commands. The benchmark runs are measurements, not checks (no timing is asserted anywhere): the
/// page's tables are their output, and they take minutes, so CI does not run them. What is checked: the hot-loop
/// commands run as written, on the build of this solution and for a fraction of a second per variant
/// (<c>dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks --</c> → the built program; the seconds
/// → 0.3), every variant they name exists and the first is the baseline; and a Debug build refuses the Release-only runs
/// with the command to use.
/// </summary>
[TestFixture]
public sealed partial class BenchmarkCommandsTests
{
    private static string Program => Path.Combine(MarkdownDoc.Root, "benchmarks", "QualityPrediction.Benchmarks", "bin", Walkthrough.Configuration, "net10.0", "QualityPrediction.Benchmarks.dll");

    private static IEnumerable<TestCaseData> Loops() =>
        new[] { "benchmarks-loops", "benchmarks-trees-loop" }.SelectMany(id => MarkdownDoc.Commands(MarkdownDoc.Block("docs/benchmarks.md", id))).Select(c => new TestCaseData(c).SetArgDisplayNames(c.Split("--loop ")[1]));

    [TestCaseSource(nameof(Loops))]
    public async Task Each_hot_loop_command_alternates_every_variant_it_names(string command)
    {
        Assert.That(Program, Does.Exist, "the benchmarks are built with the solution");
        var loop = LoopCommand().Match(command);
        Assert.That(loop.Success, Is.True, $"'{command}' is `dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --loop A/B/… SECONDS`");
        var variants = loop.Groups["variants"].Value.Split('/');
        var result = (await ProcessRunner.RunAsync("dotnet", [Program, "--loop", loop.Groups["variants"].Value, "0.3"], MarkdownDoc.Root, TimeSpan.FromMinutes(5))).ShouldSucceed();
        var lines = result.Output.Split('\n').Where(l => l.StartsWith("ALTERNATE ", StringComparison.Ordinal)).ToArray();
        Assert.That(lines.Select(l => l.Split(' ')[1].TrimEnd(':')), Is.EqualTo(variants), result.Output);
        Assert.That(lines[0], Does.EndWith("ratio 1.000"), "the first variant is the baseline");
        Assert.That(lines, Has.All.Match(@"thread CPU \d+ ns per call, ratio \d+\.\d{3}$"));
    }

    [Test]
    public async Task A_debug_build_refuses_the_release_only_runs_with_the_command_to_use()
    {
        if (Walkthrough.Configuration != "Debug")
        {
            Assert.Ignore("this build is not Debug");
        }

        var result = await ProcessRunner.RunAsync("dotnet", [Program, "--short"], MarkdownDoc.Root, TimeSpan.FromMinutes(1));
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Output, Does.Contain("dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --all"));
    }

    [GeneratedRegex(@"^dotnet run -c Release --project benchmarks/QualityPrediction\.Benchmarks -- --loop (?<variants>[\w/-]+) (?<seconds>\d+)$")]
    private static partial Regex LoopCommand();
}
