using System.Text.RegularExpressions;
using QualityPrediction.Docs.Tests.TestSupport;

namespace QualityPrediction.Docs.Tests;

/// <summary>
/// Every command in the docs is run or covered. A shell block (```bash, or a block of <c>$ </c> lines) names what runs it
/// on the line above: <c>&lt;!-- run by: PATH (ID) --&gt;</c> (a test that reads the block by its ID and runs its commands
/// as written, with the substitutions it documents) or <c>&lt;!-- covered by: PATH — why --&gt;</c> (a test or script that
/// runs the same thing, e.g. .ci/run for <c>dotnet test QualityPrediction.sln</c>). An inline command (<c>`quality train`</c>)
/// must be a command that a marked block starts with, or a string a test runs.
/// </summary>
[TestFixture]
public sealed partial class DocsCoverageTests
{
    private static readonly string[] CommandWords = ["dotnet", "quality", "curl", "source", "export", "bash", "psql", "python3", "cp"];

    private static IEnumerable<FencedBlock> ShellBlocks() =>
        MarkdownDoc.Files.SelectMany(MarkdownDoc.Blocks).Where(IsShell);

    private static IEnumerable<TestCaseData> ShellBlockCases() => ShellBlocks().Select(b => new TestCaseData(b).SetArgDisplayNames(b.Where));

    private static IEnumerable<TestCaseData> InlineCommandCases() =>
        MarkdownDoc.Files.SelectMany(MarkdownDoc.InlineSpans)
            .Where(s => CommandWords.Contains(s.Text.Split(' ')[0], StringComparer.Ordinal) && s.Text.Contains(' ', StringComparison.Ordinal))
            .Select(s => new TestCaseData(s).SetArgDisplayNames($"{s.File}:{s.Line} {s.Text}"));

    [TestCaseSource(nameof(ShellBlockCases))]
    public void Each_shell_block_is_run_or_covered_by_a_test(FencedBlock block)
    {
        Assert.That(block.Marker, Is.Not.Null, $"{block.Where}: a shell block needs '<!-- run by: PATH (ID) -->' or '<!-- covered by: PATH — why -->' on the line above");
        if (block.Marker!.StartsWith("run by:", StringComparison.Ordinal))
        {
            AssertRunBy(block);
            return;
        }

        var covered = CoveredBy().Match(block.Marker);
        Assert.That(covered.Success, Is.True, $"{block.Where}: '{block.Marker}' is neither 'run by: PATH (ID)' nor 'covered by: PATH — why'");
        Assert.That(Path.Combine(MarkdownDoc.Root, covered.Groups["path"].Value), Does.Exist, $"{block.Where}: {covered.Groups["path"].Value}");
    }

    [TestCaseSource(nameof(InlineCommandCases))]
    public void Each_inline_command_is_one_that_a_block_or_test_runs(InlineSpan span)
    {
        var words = span.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var prefix = string.Join(' ', words.Take(2));
        var blockCommands = ShellBlocks().Where(b => b.Marker is not null).SelectMany(b => MarkdownDoc.Commands(b).Select(c => c.TrimStart('$', ' ')));
        var ci = File.ReadAllText(Path.Combine(MarkdownDoc.Root, ".ci", "run"));
        var inBlock = blockCommands.Any(c => c.StartsWith(prefix, StringComparison.Ordinal) || c.Contains(" && " + prefix, StringComparison.Ordinal));
        var inCi = ci.Contains(span.Text, StringComparison.Ordinal);
        var inTests = words.Skip(1).Any(w => TestSources.Value.Contains($"\"{w}\"", StringComparison.Ordinal));
        // `bash .ci/run` is CI itself; `source .ci/postgres.sh` and the like are scripts CI runs.
        var script = words[0] is "bash" or "source" && words.Length == 2 && File.Exists(Path.Combine(MarkdownDoc.Root, words[1])) && (words[1] == ".ci/run" || ci.Contains(words[1], StringComparison.Ordinal));
        Assert.That(inBlock || inCi || inTests || script, Is.True, $"{span.File}:{span.Line}: `{span.Text}` is not a command that a run or covered block starts with ('{prefix}'), nor in .ci/run, nor a string a test runs");
    }

    /// <summary>A <c>run by: PATH (ID)</c> marker: PATH exists and reads the block by its ID.</summary>
    internal static void AssertRunBy(FencedBlock block)
    {
        var runBy = RunBy().Match(block.Marker!);
        Assert.That(runBy.Success, Is.True, $"{block.Where}: '{block.Marker}' is not 'run by: PATH (ID)'");
        var path = Path.Combine(MarkdownDoc.Root, runBy.Groups["path"].Value);
        Assert.That(path, Does.Exist, $"{block.Where}: {runBy.Groups["path"].Value}");
        Assert.That(File.ReadAllText(path), Does.Contain($"\"{runBy.Groups["id"].Value}\"").Or.Contain($"\"({runBy.Groups["id"].Value})\""), $"{block.Where}: {runBy.Groups["path"].Value} never reads block '{runBy.Groups["id"].Value}'");
    }

    private static bool IsShell(FencedBlock block) =>
        block.Language is "bash" or "sh" or "shell" || (block.Language is "" or "console" && block.Text.Split('\n').Any(l => l.StartsWith("$ ", StringComparison.Ordinal)));

    private static readonly Lazy<string> TestSources = new(() => string.Concat(
        Directory.GetFiles(Path.Combine(MarkdownDoc.Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)));

    [GeneratedRegex(@"^run by:\s*(?<path>\S+)\s*\((?<id>[\w.-]+)\)$")]
    private static partial Regex RunBy();

    [GeneratedRegex(@"^covered by:\s*(?<path>\S+)\s+—\s+\S")]
    private static partial Regex CoveredBy();
}
