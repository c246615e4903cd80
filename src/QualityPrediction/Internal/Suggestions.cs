namespace QualityPrediction.Internal;

/// <summary>"Did you mean" for a misspelled name: the closest candidate by edit distance, when it is close enough to be a typo.</summary>
internal static class Suggestions
{
    private const int MaxNameLength = 256;

    /// <summary>Shortens a name for a message: at most 100 characters, then how many more.</summary>
    public static string Shorten(string name) => name.Length <= 100 ? name : $"{name[..100]}… ({name.Length - 100} more characters)";

    /// <summary>Returns the candidate nearest to <paramref name="name"/> (case-insensitive edit distance ≤ 1/3 of its length, at least 1 and at most 3), or <see langword="null"/>.</summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var limit = Math.Clamp(name.Length / 3, 1, 3);
        if (name.Length > MaxNameLength)
        {
            return null; // Not a typo of a name; and the distance would cost its length squared.
        }

        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal) || Math.Abs(candidate.Length - name.Length) > limit)
            {
                continue;
            }

            var distance = Distance(name, candidate);
            if (distance <= limit && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Returns <c>" (did you mean 'X'?)"</c> for a near miss, or an empty string.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates) =>
        Nearest(name, candidates) is { } nearest ? $" (did you mean '{nearest}'?)" : "";

    /// <summary>The optimal-string-alignment distance (insertions, deletions, substitutions, adjacent transpositions), ignoring case.</summary>
    internal static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
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
