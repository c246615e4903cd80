using System.Globalization;
using System.Text;

namespace QualityPrediction.Training.Data;

/// <summary>What the data checks found. Everything here is a warning: training goes on.</summary>
public sealed class DataCheckReport
{
    /// <summary>Gets the number of rows.</summary>
    public int Rows { get; init; }

    /// <summary>Gets the share of rows missing each feature, for features missing in at least one row.</summary>
    public IReadOnlyDictionary<string, double> MissingShare { get; init; } = new Dictionary<string, double>();

    /// <summary>Gets the features whose most common value covers at least 99% of the rows where they are present.</summary>
    public IReadOnlyList<string> ConstantFeatures { get; init; } = [];

    /// <summary>Gets the number of rows that repeat an earlier row exactly (features and target).</summary>
    public int DuplicateRows { get; init; }

    /// <summary>Gets the numeric features that nearly equal the target (|correlation| ≥ 0.98, or equal on ≥ 95% of rows): likely leaks.</summary>
    public IReadOnlyList<string> TargetLikeFeatures { get; init; } = [];

    /// <summary>Gets the size of the largest group of rows sharing one identical feature vector (all features).</summary>
    public int LargestIdenticalGroup { get; init; }

    /// <summary>Gets the size of the largest group of rows sharing one identical vector of numeric features.</summary>
    public int LargestIdenticalNumericGroup { get; init; }

    /// <summary>Gets the indices of the rows in the largest flagged identical group (all features, or numeric features when that group is larger), when one is flagged (at least 10 rows and 5%).</summary>
    public IReadOnlyList<int> IdenticalGroupRows { get; init; } = [];

    /// <summary>Gets the target's summary: min, max, mean, standard deviation and the number of distinct values.</summary>
    public (double Min, double Max, double Mean, double StdDev, int Distinct) Target { get; init; }

    /// <summary>Gets the target's most common values and their counts (at most 12), for a discrete-looking target.</summary>
    public IReadOnlyList<(double Value, int Count)> TargetValues { get; init; } = [];

    /// <summary>Gets the warnings, one line each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Formats the report as text for the console.</summary>
    /// <returns>The text.</returns>
    public string ToText()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Data checks: {Rows} rows; target min {Target.Min:G6}, max {Target.Max:G6}, mean {Target.Mean:F3}, sd {Target.StdDev:F3}, {Target.Distinct} distinct values");
        if (TargetValues.Count > 0)
        {
            text.AppendLine("  target values: " + string.Join(", ", TargetValues.Select(v => string.Create(c, $"{v.Value:G6}: {v.Count}"))));
        }

        foreach (var (name, share) in MissingShare)
        {
            text.AppendLine(c, $"  missing: {name} {share:P1}");
        }

        foreach (var warning in Warnings)
        {
            text.AppendLine("  WARNING: " + warning);
        }

        if (Warnings.Count == 0)
        {
            text.AppendLine("  no warnings");
        }

        return text.ToString();
    }
}

/// <summary>Checks training data for the problems that make a model look better or worse than it is.</summary>
public static class DataChecks
{
    /// <summary>Runs the checks.</summary>
    /// <param name="data">The rows.</param>
    /// <returns>The report.</returns>
    public static DataCheckReport Run(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var c = CultureInfo.InvariantCulture;
        var n = data.Count;
        var warnings = new List<string>(data.ReadWarnings);
        var missing = new Dictionary<string, double>(StringComparer.Ordinal);
        var constant = new List<string>();
        var leaks = new List<string>();
        foreach (var column in data.Columns)
        {
            var counts = new Dictionary<FeatureValue, int>();
            var present = 0;
            var xs = new List<double>();
            var ys = new List<double>();
            var equal = 0;
            for (var i = 0; i < n; i++)
            {
                if (!data.Contexts[i].TryGetValue(column.Name, out var value))
                {
                    continue;
                }

                present++;
                counts[value] = counts.GetValueOrDefault(value) + 1;
                if (value.Kind == FeatureKind.Numeric)
                {
                    xs.Add(value.Number);
                    ys.Add(data.Targets[i]);
                    if (Math.Abs(value.Number - data.Targets[i]) <= 1e-9 * Math.Max(1, Math.Abs(data.Targets[i])))
                    {
                        equal++;
                    }
                }
            }

            if (present < n)
            {
                missing[column.Name] = 1 - ((double)present / n);
            }

            if (present > 0 && counts.Values.Max() >= 0.99 * present)
            {
                constant.Add(column.Name);
                warnings.Add(counts.Count == 1
                    ? $"feature '{column.Name}' is constant ({counts.Keys.First()}) and carries no information."
                    : string.Create(c, $"feature '{column.Name}' is nearly constant: one value covers {(double)counts.Values.Max() / present:P1} of the rows where it is present."));
            }

            if (xs.Count >= 3)
            {
                var r = Correlation(xs, ys);
                if (Math.Abs(r) >= 0.98 || equal >= 0.95 * xs.Count)
                {
                    leaks.Add(column.Name);
                    warnings.Add(string.Create(c, $"feature '{column.Name}' nearly equals the target (correlation {r:F3}, equal on {(double)equal / xs.Count:P0} of rows): a leak?"));
                }
            }
        }

        // Identical feature vectors and duplicate rows.
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var seenRows = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        var key = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            key.Clear();
            foreach (var name in data.Contexts[i].Names.Order(StringComparer.Ordinal))
            {
                key.Append(name).Append('=').Append(data.Contexts[i][name].ToString()).Append('\u001e');
            }

            var features = key.ToString();
            if (!groups.TryGetValue(features, out var rows))
            {
                groups[features] = rows = [];
            }

            rows.Add(i);
            if (!seenRows.Add(features + "\u001d" + data.Targets[i].ToString("R", c)))
            {
                duplicates++;
            }
        }

        // The same on the numeric features alone: rows that differ only in a category or two are just as uninformative.
        var numericGroups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var numericColumns = data.Columns.Where(col => col.Kind == FeatureKind.Numeric).Select(col => col.Name).ToArray();
        for (var i = 0; numericColumns.Length > 0 && i < n; i++)
        {
            key.Clear();
            foreach (var name in numericColumns)
            {
                key.Append(data.Contexts[i].TryGetNumber(name, out var x) ? x.ToString("R", c) : "?").Append('\u001e');
            }

            var features = key.ToString();
            if (!numericGroups.TryGetValue(features, out var rows))
            {
                numericGroups[features] = rows = [];
            }

            rows.Add(i);
        }

        var largest = groups.Values.MaxBy(g => g.Count) ?? [];
        var largestNumeric = numericGroups.Values.MaxBy(g => g.Count) ?? [];
        IReadOnlyList<int> flagged = [];
        if (largest.Count >= 10 && largest.Count >= 0.05 * n)
        {
            flagged = largest;
            warnings.Add(DescribeGroup(data, largest, "feature vector"));
        }

        if (largestNumeric.Count > largest.Count && largestNumeric.Count >= 10 && largestNumeric.Count >= 0.05 * n)
        {
            flagged = largestNumeric;
            var first = data.Contexts[largestNumeric[0]];
            var shown = string.Join(", ", numericColumns.Select(name => first.TryGetNumber(name, out var x) ? string.Create(c, $"{name}={x:G6}") : $"{name} missing"));
            warnings.Add(DescribeGroup(data, largestNumeric, $"numeric feature vector ({shown})"));
        }

        if (flagged.Count > 0)
        {
            warnings.Add(string.Create(c, $"metrics are also reported on the {n - flagged.Count} rows outside the largest identical group."));
        }

        if (duplicates > 0)
        {
            warnings.Add(string.Create(c, $"{duplicates} rows ({(double)duplicates / n:P1}) repeat an earlier row exactly (features and target)."));
        }

        var all = data.Targets;
        var tMean = all.Average();
        var tSd = Math.Sqrt(all.Sum(t => (t - tMean) * (t - tMean)) / Math.Max(1, n - 1));
        var distinct = all.Distinct().Count();
        if (distinct == 1)
        {
            warnings.Add("the target is constant: there is nothing to learn.");
        }

        IReadOnlyList<(double, int)> values = distinct <= 12
            ? [.. all.GroupBy(t => t).OrderBy(g => g.Key).Select(g => (g.Key, g.Count()))]
            : [];

        return new DataCheckReport
        {
            Rows = n,
            MissingShare = missing,
            ConstantFeatures = constant,
            DuplicateRows = duplicates,
            TargetLikeFeatures = leaks,
            LargestIdenticalGroup = largest.Count,
            LargestIdenticalNumericGroup = largestNumeric.Count,
            IdenticalGroupRows = flagged,
            Target = (all.Min(), all.Max(), tMean, tSd, distinct),
            TargetValues = values,
            Warnings = warnings,
        };
    }

    private static string DescribeGroup(TrainingData data, List<int> group, string what)
    {
        var targets = group.Select(i => data.Targets[i]).ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{group.Count} rows ({(double)group.Count / data.Count:P1}) share one identical {what}, first at {data.Locations[group[0]]}; their targets range {targets.Min():G6}–{targets.Max():G6} (mean {targets.Average():F2}), which no model can tell apart.");
    }

    private static double Correlation(List<double> x, List<double> y)
    {
        var mx = x.Average();
        var my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : 0;
    }
}
