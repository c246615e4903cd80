namespace QualityPrediction.Internal;

/// <summary>
/// "Did you mean": the known names nearest to a name that is not one of them, for error and log messages. Compiled into
/// each package that names options, features, columns or registry entries (shared source, internal everywhere).
/// </summary>
internal static class NameSuggestions
{
    /// <summary>Names longer than this are not typos of a name, and comparing them would cost their length squared.</summary>
    private const int MaxNameLength = 256;

    /// <summary>
    /// The known names that differ from <paramref name="name"/> only in case, or by at most a third of its length in edits
    /// (at least one, at most three), nearest first, then in ordinal order.
    /// </summary>
    /// <param name="name">The name that was not found.</param>
    /// <param name="known">The names that exist.</param>
    /// <param name="max">The most names to return.</param>
    /// <returns>At most <paramref name="max"/> names; none when <paramref name="name"/> is longer than 256 characters.</returns>
    public static IReadOnlyList<string> Find(string name, IEnumerable<string> known, int max = 3)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(known);
        if (name.Length > MaxNameLength)
        {
            return [];
        }

        var limit = Math.Clamp(name.Length / 3, 1, 3);
        var upper = name.ToUpperInvariant();
        var near = new List<(string Name, int Distance)>();
        foreach (var candidate in known.Distinct(StringComparer.Ordinal))
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal) || Math.Abs(candidate.Length - name.Length) > limit)
            {
                continue;
            }

            var distance = Distance(upper, candidate.ToUpperInvariant());
            if (distance <= limit)
            {
                near.Add((candidate, distance));
            }
        }

        return [.. near.OrderBy(n => n.Distance).ThenBy(n => n.Name, StringComparer.Ordinal).Take(max).Select(n => n.Name)];
    }

    /// <summary>Formats <c> (did you mean 'x' or 'y'?)</c>, or an empty string when no known name is near.</summary>
    /// <param name="name">The name that was not found.</param>
    /// <param name="known">The names that exist.</param>
    /// <returns>The suffix for a message.</returns>
    public static string DidYouMean(string name, IEnumerable<string> known)
    {
        var near = Find(name, known);
        return near.Count == 0 ? "" : $" (did you mean {string.Join(" or ", near.Select(n => $"'{n}'"))}?)";
    }

    /// <summary>A name cut to 100 characters for a message, saying how many were left out.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The name, or its first 100 characters and a count of the rest.</returns>
    public static string Shorten(string name) => name.Length <= 100 ? name : $"{name[..100]}… ({name.Length - 100} more characters)";

    /// <summary>The optimal string alignment distance (Levenshtein with adjacent transpositions).</summary>
    /// <param name="a">One string.</param>
    /// <param name="b">The other.</param>
    /// <returns>The number of edits.</returns>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
