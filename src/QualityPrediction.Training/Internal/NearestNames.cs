namespace QualityPrediction.Training.Internal;

/// <summary>"Did you mean": the known names nearest to a name that is not one of them.</summary>
internal static class NearestNames
{
    /// <summary>The known names that differ from <paramref name="name"/> only in case, or by at most a third of its length in edits (at least one), nearest first.</summary>
    /// <param name="name">The name that was not found.</param>
    /// <param name="known">The names that exist.</param>
    /// <returns>At most three names.</returns>
    public static IReadOnlyList<string> Find(string name, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(known);
        var limit = Math.Max(1, name.Length / 3);
        return [.. known
            .Distinct(StringComparer.Ordinal)
            .Select(k => (Name: k, Distance: string.Equals(k, name, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(name.ToUpperInvariant(), k.ToUpperInvariant())))
            .Where(k => k.Distance <= limit)
            .OrderBy(k => k.Distance)
            .ThenBy(k => k.Name, StringComparer.Ordinal)
            .Take(3)
            .Select(k => k.Name)];
    }

    /// <summary>Formats <c> (did you mean 'x' or 'y'?)</c>, or an empty string when nothing is near.</summary>
    /// <param name="name">The name that was not found.</param>
    /// <param name="known">The names that exist.</param>
    /// <returns>The suffix for an error message.</returns>
    public static string DidYouMean(string name, IEnumerable<string> known)
    {
        var near = Find(name, known);
        return near.Count == 0 ? "" : $" (did you mean {string.Join(" or ", near.Select(n => $"'{n}'"))}?)";
    }

    /// <summary>The optimal string alignment distance (Levenshtein with adjacent transpositions).</summary>
    private static int Distance(string a, string b)
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
