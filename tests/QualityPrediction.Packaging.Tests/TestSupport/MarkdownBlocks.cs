namespace QualityPrediction.Packaging.Tests.TestSupport;

/// <summary>
/// Reads the fenced code block that follows a marker comment in a Markdown file, e.g.
/// <c>&lt;!-- run by: tests/QualityPrediction.Packaging.Tests/PackedFeed.cs (install-pack) --&gt;</c> or
/// <c>&lt;!-- snippet: readme-usage --&gt;</c>; the marker names the block, so a test runs what the docs show.
/// </summary>
internal static class MarkdownBlocks
{
    /// <summary>The block after the first marker line that contains <paramref name="marker"/>.</summary>
    public static string Read(string markdownFile, string marker)
    {
        var lines = File.ReadAllLines(markdownFile);
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].TrimStart().StartsWith("<!--", StringComparison.Ordinal) || !lines[i].Contains(marker, StringComparison.Ordinal))
            {
                continue;
            }

            if (i + 1 >= lines.Length || !lines[i + 1].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{markdownFile}:{i + 1}: the marker '{marker}' is not followed by a fenced code block.");
            }

            var body = new List<string>();
            for (var j = i + 2; j < lines.Length; j++)
            {
                if (lines[j].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    return string.Join('\n', body) + "\n";
                }

                body.Add(lines[j]);
            }

            throw new InvalidOperationException($"{markdownFile}:{i + 2}: the block after '{marker}' is not closed.");
        }

        throw new InvalidOperationException($"{markdownFile}: no marker '{marker}' (a comment line before the fenced block it names).");
    }

    /// <summary>The shell commands of a bash block: comments and blank lines dropped, <c>\</c> continuations joined.</summary>
    public static IReadOnlyList<string> Commands(string block)
    {
        var commands = new List<string>();
        var pending = "";
        foreach (var raw in block.Split('\n'))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1].TrimEnd() + " ";
                continue;
            }

            commands.Add(pending + line);
            pending = "";
        }

        return commands;
    }
}
