using System.Text.RegularExpressions;

namespace QualityPrediction.Docs.Tests.TestSupport;

/// <summary>A named region of a compiled source file: the text between <c>// begin-snippet: NAME</c> and
/// <c>// end-snippet</c>, dedented; a name used several times in one file joins its parts with a blank line (so a
/// snippet can hold a file's <c>using</c> lines and a method's body).</summary>
internal sealed record Snippet(string Name, string File, int Line, string Text);

internal static partial class SnippetSources
{
    public static string Folder => Path.Combine(MarkdownDoc.Root, "tests", "QualityPrediction.Docs.Tests", "Snippets");

    public static IReadOnlyDictionary<string, Snippet> All { get; } = Read();

    private static Dictionary<string, Snippet> Read()
    {
        var parts = new Dictionary<string, (string File, int Line, List<string> Parts)>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Folder, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(MarkdownDoc.Root, file);
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var begin = Begin().Match(lines[i]);
                if (!begin.Success)
                {
                    continue;
                }

                var name = begin.Groups["name"].Value;
                var body = new List<string>();
                var j = i + 1;
                while (j < lines.Length && !End().IsMatch(lines[j]))
                {
                    body.Add(lines[j]);
                    j++;
                }

                if (j == lines.Length)
                {
                    throw new InvalidOperationException($"{relative}:{i + 1}: snippet '{name}' has no '// end-snippet'.");
                }

                if (parts.TryGetValue(name, out var existing) && existing.File != relative)
                {
                    throw new InvalidOperationException($"{relative}:{i + 1}: snippet '{name}' is also defined in {existing.File}.");
                }

                if (!parts.ContainsKey(name))
                {
                    parts[name] = (relative, i + 2, []);
                }

                parts[name].Parts.Add(Dedent(body));
                i = j;
            }
        }

        return parts.ToDictionary(p => p.Key, p => new Snippet(p.Key, p.Value.File, p.Value.Line, string.Join("\n", p.Value.Parts)), StringComparer.Ordinal);
    }

    private static string Dedent(List<string> lines)
    {
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Concat(lines.Select(l => (l.Length >= indent ? l[indent..] : l.TrimStart()).TrimEnd() + "\n"));
    }

    [GeneratedRegex(@"^\s*(//|#)\s*begin-snippet:\s*(?<name>[\w.-]+)\s*$")]
    private static partial Regex Begin();

    [GeneratedRegex(@"^\s*(//|#)\s*end-snippet\s*$")]
    private static partial Regex End();
}
