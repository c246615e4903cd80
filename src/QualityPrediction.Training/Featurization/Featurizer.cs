using QualityPrediction.Models;
using QualityPrediction.Training.Data;

namespace QualityPrediction.Training.Featurization;

/// <summary>How columns become model features.</summary>
public sealed class FeaturizerOptions
{
    /// <summary>Gets or sets the fewest training rows a category needs for a slot of its own; rarer ones share the rare slot.</summary>
    /// <value>The default is 10.</value>
    public int MinCategoryRows { get; set; } = 10;

    /// <summary>Gets or sets the most categories one feature keeps slots for (the most frequent ones); the rest are rare.</summary>
    /// <value>The default is 100.</value>
    public int MaxCategories { get; set; } = 100;

    /// <summary>Gets or sets the most rare categories one feature lists (the most frequent of them); rarer ones are encoded as unknown, in training as at serving.
    /// The manifest lists them, so without a bound a column of ids would make a manifest larger than the loader accepts.</summary>
    /// <value>The default is <see cref="DefaultMaxRareCategories"/>.</value>
    public int MaxRareCategories { get; set; } = DefaultMaxRareCategories;

    /// <summary>The default of <see cref="MaxRareCategories"/>: 1,000.</summary>
    public const int DefaultMaxRareCategories = 1000;

    /// <summary>Gets or sets the number of quantile bins of the numeric histograms kept for drift monitoring.</summary>
    /// <value>The default is 10.</value>
    public int HistogramBins { get; set; } = 10;

    /// <summary>Gets or sets pairs of categorical columns to cross (one-hot over the pair of values).</summary>
    public IList<(string Left, string Right)> Crosses { get; set; } = [];
}

/// <summary>
/// Decides the model features from training rows (<see cref="FeatureSpec"/>s: which categories get a slot, the numeric
/// imputation value) with their training statistics, and encodes rows with <see cref="FeatureEncoder"/>.
/// </summary>
public static class Featurizer
{
    /// <summary>Builds the feature specifications for a data set.</summary>
    /// <param name="data">The training rows.</param>
    /// <param name="options">The featurization options.</param>
    /// <returns>The features, in column order (crosses last).</returns>
    /// <exception cref="ArgumentException">A cross names a column that is not categorical.</exception>
    public static IList<FeatureSpec> Build(TrainingData data, FeaturizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FeaturizerOptions();
        var specs = new List<FeatureSpec>();
        foreach (var column in data.Columns)
        {
            specs.Add(column.Kind == FeatureKind.Numeric
                ? BuildNumeric(column.Name, data.Contexts, options)
                : BuildCategorical(column.Name, data.Contexts.Select(c => c.TryGetCategory(column.Name, out var v) ? v : null), FeatureEncoding.Categorical, null, data.Count, options));
        }

        foreach (var (left, right) in options.Crosses)
        {
            foreach (var name in new[] { left, right })
            {
                if (!data.Columns.Any(c => c.Name == name && c.Kind == FeatureKind.Categorical))
                {
                    throw new ArgumentException($"Cannot cross '{left}' with '{right}': '{name}' is not a categorical column.", nameof(options));
                }
            }

            var values = data.Contexts.Select(c => c.TryGetCategory(left, out var a) && c.TryGetCategory(right, out var b) ? a + FeatureSpec.CrossSeparator + b : null);
            specs.Add(BuildCategorical($"{left}*{right}", values, FeatureEncoding.Cross, [left, right], data.Count, options));
        }

        return specs;
    }

    /// <summary>Encodes rows into one row-major float matrix.</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="contexts">The rows.</param>
    /// <returns><c>contexts.Count × encoder.Length</c> values.</returns>
    public static float[] Encode(FeatureEncoder encoder, IReadOnlyList<PredictionContext> contexts)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(contexts);
        var matrix = new float[contexts.Count * encoder.Length];
        encoder.EncodeBatch(contexts.ToArray(), matrix);
        return matrix;
    }

    private static FeatureSpec BuildNumeric(string name, IReadOnlyList<PredictionContext> contexts, FeaturizerOptions options)
    {
        var values = new List<double>(contexts.Count);
        foreach (var context in contexts)
        {
            if (context.TryGetNumber(name, out var x))
            {
                values.Add(x);
            }
        }

        var mean = values.Count > 0 ? values.Average() : 0;
        var variance = values.Count > 1 ? values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) : 0;
        values.Sort();
        var edges = new List<double>();
        for (var b = 1; b < options.HistogramBins && values.Count > 0; b++)
        {
            var edge = Quantile(values, (double)b / options.HistogramBins);
            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        var shares = new double[edges.Count + 1];
        foreach (var v in values)
        {
            var bin = edges.BinarySearch(v);
            shares[bin >= 0 ? bin : ~bin]++;
        }

        return new FeatureSpec
        {
            Name = name,
            Kind = FeatureEncoding.Numeric,
            Impute = mean,
            Statistics = new FeatureStatistics
            {
                MissingShare = contexts.Count == 0 ? 0 : 1 - ((double)values.Count / contexts.Count),
                Mean = mean,
                StdDev = Math.Sqrt(variance),
                Min = values.Count > 0 ? values[0] : null,
                Max = values.Count > 0 ? values[^1] : null,
                BinEdges = edges,
                BinShares = [.. shares.Select(s => values.Count == 0 ? 0 : s / values.Count)],
            },
        };
    }

    private static FeatureSpec BuildCategorical(string name, IEnumerable<string?> values, FeatureEncoding kind, IList<string>? of, int rows, FeaturizerOptions options)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var missing = 0;
        foreach (var value in values)
        {
            if (value is null)
            {
                missing++;
                continue;
            }

            counts[value] = counts.GetValueOrDefault(value) + 1;
        }

        var ranked = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var kept = ranked.Where(p => p.Value >= options.MinCategoryRows).Take(options.MaxCategories).Select(p => p.Key).ToList();
        var keptSet = new HashSet<string>(kept, StringComparer.Ordinal);
        var rare = ranked.Where(p => !keptSet.Contains(p.Key)).Take(options.MaxRareCategories).Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var present = rows - missing;
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var category in kept)
        {
            shares[category] = (double)counts[category] / Math.Max(1, present);
        }

        if (rare.Count > 0)
        {
            shares["(rare)"] = (double)rare.Sum(r => counts[r]) / Math.Max(1, present);
        }

        return new FeatureSpec
        {
            Name = name,
            Kind = kind,
            Categories = kept,
            RareCategories = rare,
            Of = of,
            Statistics = new FeatureStatistics
            {
                MissingShare = rows == 0 ? 0 : (double)missing / rows,
                CategoryShares = shares,
            },
        };
    }

    internal static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
