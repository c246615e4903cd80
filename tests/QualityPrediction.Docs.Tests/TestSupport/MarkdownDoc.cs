namespace QualityPrediction.Docs.Tests.TestSupport;

/// <summary>A fenced code block of a Markdown file: its language, its text, where it starts and the marker comment on the line before it.</summary>
public sealed record FencedBlock(string File, int Line, string Language, string Text, string? Marker)
{
    public string Where => $"{File}:{Line}";
}

/// <summary>An inline code span of a Markdown file (outside fenced blocks).</summary>
public sealed record InlineSpan(string File, int Line, string Text);

/// <summary>The repository's Markdown docs: README.md, samples/README.md, docs/*.md and each package's src/*/README.md.</summary>
internal static class MarkdownDoc
{
    public static string Root { get; } = FindRoot();

    public static IReadOnlyList<string> Files { get; } =
        new[] { "README.md", Path.Combine("samples", "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(f => Path.GetRelativePath(Root, f)))
            .Concat(Directory.GetDirectories(Path.Combine(Root, "src")).Select(d => Path.Combine(d, "README.md")).Where(File.Exists).Select(f => Path.GetRelativePath(Root, f)))
            .Order(StringComparer.Ordinal).ToArray();

    public static IReadOnlyList<FencedBlock> Blocks(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, file));
        var blocks = new List<FencedBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = lines[i].TrimStart();
            if (!open.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = open[3..].Trim();
            var body = new List<string>();
            var j = i + 1;
            while (j < lines.Length && !lines[j].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                body.Add(lines[j]);
                j++;
            }

            var previous = i > 0 ? lines[i - 1].Trim() : "";
            var marker = previous.StartsWith("<!--", StringComparison.Ordinal) && previous.EndsWith("-->", StringComparison.Ordinal) ? previous[4..^3].Trim() : null;
            blocks.Add(new FencedBlock(file, i + 1, language, string.Join('\n', body) + "\n", marker));
            i = j;
        }

        return blocks;
    }

    public static IReadOnlyList<InlineSpan> InlineSpans(string file)
    {
        // Spans are paired within a paragraph (a span may wrap onto the next line), outside fenced blocks.
        var lines = File.ReadAllLines(Path.Combine(Root, file));
        var spans = new List<InlineSpan>();
        var paragraph = new List<(int Line, string Text)>();
        var fenced = false;
        void Flush()
        {
            var text = string.Join(' ', paragraph.Select(p => p.Text));
            var parts = text.Split('`');
            var offset = 0;
            for (var k = 0; k < parts.Length; k++)
            {
                if (k % 2 == 1 && k < parts.Length - 1)
                {
                    var at = offset;
                    var line = paragraph[0].Line;
                    var length = 0;
                    foreach (var (number, content) in paragraph)
                    {
                        if (length + content.Length + 1 > at)
                        {
                            line = number;
                            break;
                        }

                        length += content.Length + 1;
                    }

                    spans.Add(new InlineSpan(file, line, parts[k]));
                }

                offset += parts[k].Length + 1;
            }

            paragraph.Clear();
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                fenced = !fenced;
                continue;
            }

            if (fenced)
            {
                continue;
            }

            if (lines[i].Trim().Length == 0)
            {
                Flush();
                continue;
            }

            paragraph.Add((i + 1, lines[i].Trim()));
        }

        Flush();
        return spans;
    }

    /// <summary>The block whose marker ends with <c>(id)</c>.</summary>
    public static FencedBlock Block(string file, string id) =>
        Blocks(file).SingleOrDefault(b => b.Marker?.EndsWith($"({id})", StringComparison.Ordinal) == true)
        ?? throw new InvalidOperationException($"{file}: no block marked '… ({id})'.");

    /// <summary>The shell commands of a block: comments and blank lines dropped, <c>\</c> continuations joined, quoted arguments spanning lines kept whole.</summary>
    public static IReadOnlyList<string> Commands(FencedBlock block)
    {
        // A block that quotes a session (`$ command` lines followed by their output): its commands are the `$ ` lines.
        var prompted = block.Text.Split('\n').Where(l => l.StartsWith("$ ", StringComparison.Ordinal)).Select(l => l[2..].Trim()).ToArray();
        if (prompted.Length > 0)
        {
            return prompted;
        }

        var commands = new List<string>();
        var pending = "";
        foreach (var raw in block.Text.Split('\n'))
        {
            var line = pending.Length > 0 && OpenQuote(pending) ? raw : raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (pending.Length > 0 && OpenQuote(pending))
            {
                pending += "\n" + line;
                if (!OpenQuote(pending))
                {
                    commands.Add(pending);
                    pending = "";
                }

                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1].TrimEnd() + " ";
                continue;
            }

            pending += line;
            if (OpenQuote(pending))
            {
                continue;
            }

            commands.Add(pending);
            pending = "";
        }

        return commands;
    }

    private static bool OpenQuote(string text)
    {
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == '#' && (i == 0 || char.IsWhiteSpace(text[i - 1])))
                {
                    return false; // a comment: the rest of the line is not code
                }
            }
            else if (c == quote)
            {
                quote = null;
            }
            else if (quote == '"' && c == '\\')
            {
                i++;
            }
        }

        return quote is not null;
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "QualityPrediction.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No QualityPrediction.sln above {AppContext.BaseDirectory}.");
    }
}
