using QualityPrediction.Docs.Tests.TestSupport;

namespace QualityPrediction.Docs.Tests;

/// <summary>
/// Every C# block in the docs is code this repository compiles: a snippet of a file in Snippets/ (marked
/// <c>&lt;!-- snippet: NAME --&gt;</c>, identical to its region), or a block a test compiles and runs as written (marked
/// <c>&lt;!-- run by: PATH (ID) --&gt;</c>). <c>QUALITY_UPDATE_SNIPPETS=1 dotnet test tests/QualityPrediction.Docs.Tests
/// --filter Snippet</c> copies the regions into the docs.
/// </summary>
[TestFixture]
public sealed class SnippetTests
{
    private static IEnumerable<TestCaseData> CSharpBlocks() =>
        MarkdownDoc.Files.SelectMany(MarkdownDoc.Blocks).Where(b => b.Language is "csharp" or "cs" or "c#")
            .Select(b => new TestCaseData(b).SetArgDisplayNames(b.Where));

    [TestCaseSource(nameof(CSharpBlocks))]
    public void Each_csharp_block_is_a_snippet_of_compiled_code_or_run_by_a_test(FencedBlock block)
    {
        Assert.That(block.Marker, Is.Not.Null, $"{block.Where}: a C# block needs a '<!-- snippet: NAME -->' line above it (a region in {Path.GetRelativePath(MarkdownDoc.Root, SnippetSources.Folder)}) or '<!-- run by: PATH (ID) -->'");
        if (block.Marker!.StartsWith("run by:", StringComparison.Ordinal))
        {
            DocsCoverageTests.AssertRunBy(block);
            return;
        }

        Assert.That(block.Marker, Does.StartWith("snippet:"), block.Where);
        var name = block.Marker["snippet:".Length..].Trim();
        Assert.That(SnippetSources.All, Does.ContainKey(name), $"{block.Where}: no '// begin-snippet: {name}' in {Path.GetRelativePath(MarkdownDoc.Root, SnippetSources.Folder)}");
        var snippet = SnippetSources.All[name];
        if (snippet.Text != block.Text && Environment.GetEnvironmentVariable("QUALITY_UPDATE_SNIPPETS") == "1")
        {
            Update(block, snippet);
            return;
        }

        Assert.That(block.Text, Is.EqualTo(snippet.Text), $"{block.Where} differs from snippet '{name}' ({snippet.File}:{snippet.Line}); the source is what compiles: QUALITY_UPDATE_SNIPPETS=1 dotnet test tests/QualityPrediction.Docs.Tests --filter Snippet copies it into the docs");
    }

    [Test]
    public void Every_snippet_is_shown_in_the_docs()
    {
        var used = MarkdownDoc.Files.SelectMany(MarkdownDoc.Blocks).Select(b => b.Marker).OfType<string>()
            .Where(m => m.StartsWith("snippet:", StringComparison.Ordinal)).Select(m => m["snippet:".Length..].Trim()).ToHashSet(StringComparer.Ordinal);
        Assert.That(SnippetSources.All.Keys.Where(k => !used.Contains(k)), Is.Empty, "snippets no doc shows");
    }

    private static void Update(FencedBlock block, Snippet snippet)
    {
        var path = Path.Combine(MarkdownDoc.Root, block.File);
        var lines = File.ReadAllLines(path).ToList();
        var start = block.Line; // the line after the opening fence (0-based index of the first body line)
        var end = start;
        while (!lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal))
        {
            end++;
        }

        lines.RemoveRange(start, end - start);
        lines.InsertRange(start, snippet.Text.TrimEnd('\n').Split('\n'));
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        Assert.Warn($"{block.Where}: updated from {snippet.File}:{snippet.Line}");
    }
}
