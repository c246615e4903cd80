using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace QualityPrediction.Heuristics;

/// <summary>
/// Hierarchical baselines with shrinkage fitted from outcome rows (e.g. global → provider → model), plus additive
/// factor effects (e.g. per action type), with residual statistics per level for the confidence and the interval.
/// Serialises to JSON so it can ship beside the host application like a model.
/// </summary>
/// <remarks>
/// <para>
/// Baselines: the root holds the global mean; a group at each level of <see cref="Hierarchy"/> (nested in its parent)
/// holds <c>(n × groupMean + k × parentEstimate) / (n + k)</c> with <c>k</c> = <see cref="Shrinkage"/>. Factors: the
/// effect of a value is the mean residual of its rows shrunk toward 0 the same way. Baselines and factors are fitted
/// jointly by a few rounds of backfitting, so an uneven mix of factor values across groups does not bias the baselines.
/// </para>
/// <para>
/// Residuals per level: for every group, the residuals of its rows when that group answers (its estimate plus the
/// factor effects). The interval half-width is their split-conformal quantile at <see cref="Coverage"/> and the
/// confidence is the share within <see cref="Tolerance"/>. These are in-sample residuals of a shrunk estimator,
/// so they are somewhat optimistic for small groups; a group with fewer than <see cref="MinRowsForResiduals"/> rows
/// uses its parent's statistics. Because a parent's residuals include the spread between its children, a context
/// whose model is unknown (answered by its provider) gets a wider interval and a lower confidence, as it should.
/// </para>
/// </remarks>
public sealed class FittedHeuristicModel
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private const int BackfittingRounds = 10;

    /// <summary>Gets the format version of the JSON document.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Gets the version: the first 16 hex digits of the SHA-256 of the fitted content, so equal fits have equal versions.</summary>
    public string Version { get; init; } = "";

    /// <summary>Gets the lowest possible score.</summary>
    public double MinScore { get; init; }

    /// <summary>Gets the highest possible score.</summary>
    public double MaxScore { get; init; }

    /// <summary>Gets the tolerance the confidence refers to: P(|error| ≤ tolerance).</summary>
    public double Tolerance { get; init; }

    /// <summary>Gets the nominal coverage of the interval.</summary>
    public double Coverage { get; init; }

    /// <summary>Gets the shrinkage strength used in the fit.</summary>
    public double Shrinkage { get; init; }

    /// <summary>Gets the fewest rows a level needed to keep its own residual statistics.</summary>
    public int MinRowsForResiduals { get; init; }

    /// <summary>Gets the number of rows fitted.</summary>
    public int Rows { get; init; }

    /// <summary>Gets the categorical features of the hierarchy, most general first.</summary>
    public IReadOnlyList<string> Hierarchy { get; init; } = [];

    /// <summary>Gets the root (global) baseline and, nested in it, the baselines of every level.</summary>
    public FittedBaseline Root { get; init; } = new();

    /// <summary>Gets the additive factor effects, in the order they are applied.</summary>
    public IReadOnlyList<FittedFactor> Factors { get; init; } = [];

    /// <summary>Gets the declared score range.</summary>
    [JsonIgnore]
    public ScoreRange Range => new(MinScore, MaxScore);

    /// <summary>Fits the baselines, factor effects and residual statistics.</summary>
    /// <param name="contexts">The outcome rows' features.</param>
    /// <param name="targets">The observed quality of each row.</param>
    /// <param name="options">The hierarchy, factors, shrinkage, coverage and residual settings.</param>
    /// <param name="range">The score range.</param>
    /// <param name="tolerance">The tolerance the confidence refers to.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentNullException">An argument or a context is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, a target is not finite (the message names the row index), a hierarchy or factor feature is numeric in a row, or an option is out of range.</exception>
    public static FittedHeuristicModel Fit(IReadOnlyList<PredictionContext> contexts, IReadOnlyList<double> targets, HeuristicFitOptions options, ScoreRange range, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Hierarchy, "options.Hierarchy");
        ArgumentNullException.ThrowIfNull(options.Factors, "options.Factors");
        range.Validate(nameof(range));
        ValidateSettings(options, tolerance);
        if (contexts.Count != targets.Count)
        {
            throw new ArgumentException($"There are {contexts.Count} contexts but {targets.Count} targets; give one target per context.", nameof(targets));
        }

        if (contexts.Count == 0)
        {
            throw new ArgumentException("At least one outcome row is needed to fit a heuristic.", nameof(contexts));
        }

        var n = contexts.Count;
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(targets[i]))
            {
                throw new ArgumentException($"The target of row {i} is {targets[i].ToString(CultureInfo.InvariantCulture)}; targets must be finite numbers.", nameof(targets));
            }

            y[i] = targets[i];
        }

        var hierarchy = options.Hierarchy.ToArray();
        var root = new FitNode("global");
        var leaf = new FitNode[n];
        for (var i = 0; i < n; i++)
        {
            var context = contexts[i] ?? throw new ArgumentNullException(nameof(contexts), $"The context of row {i} is null.");
            var node = root;
            node.Rows.Add(i);
            foreach (var level in hierarchy)
            {
                var category = RowCategory(context, level, i);
                if (category is null)
                {
                    break;
                }

                if (!node.Children.TryGetValue(category, out var child))
                {
                    child = new FitNode($"{level}:{category}");
                    node.Children.Add(category, child);
                }

                node = child;
                node.Rows.Add(i);
            }

            leaf[i] = node;
        }

        // Factor values per row (null when absent); factors absent from every row are dropped.
        var factorNames = new List<string>();
        var factorValues = new List<string?[]>();
        foreach (var factor in options.Factors.Distinct(StringComparer.Ordinal))
        {
            var values = new string?[n];
            var any = false;
            for (var i = 0; i < n; i++)
            {
                values[i] = RowCategory(contexts[i], factor, i);
                any |= values[i] is not null;
            }

            if (any)
            {
                factorNames.Add(factor);
                factorValues.Add(values);
            }
        }

        var k = options.Shrinkage;
        var effects = factorNames.Select(_ => new Dictionary<string, double>(StringComparer.Ordinal)).ToArray();
        var effectOfRow = new double[factorNames.Count][];
        for (var f = 0; f < effectOfRow.Length; f++)
        {
            effectOfRow[f] = new double[n];
        }

        var adjusted = new double[n];
        var baseOfRow = new double[n];
        var rounds = factorNames.Count == 0 ? 1 : BackfittingRounds;
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < n; i++)
            {
                var sum = 0.0;
                for (var f = 0; f < effectOfRow.Length; f++)
                {
                    sum += effectOfRow[f][i];
                }

                adjusted[i] = y[i] - sum;
            }

            root.Estimate = root.Rows.Average(i => adjusted[i]);
            root.Mean = root.Rows.Average(i => y[i]);
            EstimateChildren(root, adjusted, y, k);
            for (var i = 0; i < n; i++)
            {
                baseOfRow[i] = leaf[i].Estimate;
            }

            for (var f = 0; f < effectOfRow.Length; f++)
            {
                var sums = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
                for (var i = 0; i < n; i++)
                {
                    if (factorValues[f][i] is not { } value)
                    {
                        continue;
                    }

                    var residual = y[i] - baseOfRow[i];
                    for (var g = 0; g < effectOfRow.Length; g++)
                    {
                        if (g != f)
                        {
                            residual -= effectOfRow[g][i];
                        }
                    }

                    sums.TryGetValue(value, out var acc);
                    sums[value] = (acc.Sum + residual, acc.Count + 1);
                }

                effects[f].Clear();
                foreach (var (value, (sum, count)) in sums)
                {
                    effects[f][value] = sum / (count + k);
                }

                for (var i = 0; i < n; i++)
                {
                    effectOfRow[f][i] = factorValues[f][i] is { } value ? effects[f][value] : 0;
                }
            }
        }

        var totalEffect = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var f = 0; f < effectOfRow.Length; f++)
            {
                totalEffect[i] += effectOfRow[f][i];
            }
        }

        ComputeResiduals(root, isRoot: true, y, totalEffect, range, tolerance, options.Coverage, options.MinRowsForResiduals);

        var factorCounts = factorValues.Select(values => values.Where(v => v is not null).GroupBy(v => v!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal)).ToArray();
        var model = new FittedHeuristicModel
        {
            MinScore = range.Min,
            MaxScore = range.Max,
            Tolerance = tolerance,
            Coverage = options.Coverage,
            Shrinkage = k,
            MinRowsForResiduals = options.MinRowsForResiduals,
            Rows = n,
            Hierarchy = hierarchy,
            Root = root.ToBaseline(),
            Factors = factorNames.Select((name, f) => new FittedFactor
            {
                Feature = name,
                Effects = effects[f].OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => new FittedEffect { Count = factorCounts[f][e.Key], Effect = e.Value }, StringComparer.Ordinal),
            }).ToArray(),
        };
        return model.WithVersion(ComputeVersion(model));
    }

    /// <summary>Serialises the model to indented JSON.</summary>
    /// <returns>The JSON document.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, HeuristicJsonContext.Default.FittedHeuristicModel);

    /// <summary>Reads a model from JSON and checks it.</summary>
    /// <param name="json">The JSON document written by <see cref="ToJson"/> or <see cref="Save"/>.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The document is not valid JSON, has an unknown format version, or holds missing or non-finite values (the message says which).</exception>
    public static FittedHeuristicModel Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        FittedHeuristicModel? model;
        try
        {
            model = JsonSerializer.Deserialize(json, HeuristicJsonContext.Default.FittedHeuristicModel);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The fitted heuristic is not valid JSON: {ex.Message}", ex);
        }

        if (model is null)
        {
            throw new FormatException("The fitted heuristic JSON is 'null'.");
        }

        model.Check();
        return model;
    }

    /// <summary>Writes the model as JSON to a file, replacing it.</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        File.WriteAllText(path, ToJson(), Encoding.UTF8);
    }

    /// <summary>Reads a model from a JSON file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a valid fitted heuristic; the message starts with the path.</exception>
    public static FittedHeuristicModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The fitted heuristic file '{path}' does not exist.", path);
        }

        try
        {
            return Parse(File.ReadAllText(path, Encoding.UTF8));
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
    }

    private FittedHeuristicModel WithVersion(string version) => new()
    {
        FormatVersion = FormatVersion,
        Version = version,
        MinScore = MinScore,
        MaxScore = MaxScore,
        Tolerance = Tolerance,
        Coverage = Coverage,
        Shrinkage = Shrinkage,
        MinRowsForResiduals = MinRowsForResiduals,
        Rows = Rows,
        Hierarchy = Hierarchy,
        Root = Root,
        Factors = Factors,
    };

    private static string ComputeVersion(FittedHeuristicModel model)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(model, HeuristicJsonContext.Default.FittedHeuristicModel);
        return Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));
    }

    private static void ValidateSettings(HeuristicFitOptions options, double tolerance)
    {
        if (!double.IsFinite(tolerance) || tolerance <= 0)
        {
            throw new ArgumentException($"The tolerance must be a positive finite number, not {tolerance.ToString(CultureInfo.InvariantCulture)}.", nameof(tolerance));
        }

        if (!double.IsFinite(options.Shrinkage) || options.Shrinkage < 0)
        {
            throw new ArgumentException($"HeuristicFitOptions.Shrinkage must be a finite number ≥ 0, not {options.Shrinkage.ToString(CultureInfo.InvariantCulture)}.", nameof(options));
        }

        if (!(options.Coverage is > 0 and < 1))
        {
            throw new ArgumentException($"HeuristicFitOptions.Coverage must be in (0, 1), not {options.Coverage.ToString(CultureInfo.InvariantCulture)}.", nameof(options));
        }

        if (options.MinRowsForResiduals < 1)
        {
            throw new ArgumentException($"HeuristicFitOptions.MinRowsForResiduals must be at least 1, not {options.MinRowsForResiduals}.", nameof(options));
        }

        if (options.Hierarchy.Any(string.IsNullOrWhiteSpace) || options.Factors.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("HeuristicFitOptions.Hierarchy and Factors must not contain empty feature names.", nameof(options));
        }

        if (options.Hierarchy.Distinct(StringComparer.Ordinal).Count() != options.Hierarchy.Count)
        {
            throw new ArgumentException($"HeuristicFitOptions.Hierarchy lists a feature twice: [{string.Join(", ", options.Hierarchy)}].", nameof(options));
        }

        if (options.Factors.FirstOrDefault(f => options.Hierarchy.Contains(f, StringComparer.Ordinal)) is { } both)
        {
            throw new ArgumentException($"HeuristicFitOptions: '{both}' is both a hierarchy level and a factor; use it in one place only.", nameof(options));
        }
    }

    private static string? RowCategory(PredictionContext context, string feature, int row)
    {
        if (!context.TryGetValue(feature, out var value))
        {
            return null;
        }

        return value.Category ?? throw new ArgumentException($"Row {row}: feature '{feature}' must be categorical to be used as a heuristic level or factor, but it is numeric ({value}).", "contexts");
    }

    private static void EstimateChildren(FitNode node, double[] adjusted, double[] y, double k)
    {
        foreach (var child in node.Children.Values)
        {
            var count = child.Rows.Count;
            var mean = child.Rows.Average(i => adjusted[i]);
            child.Mean = child.Rows.Average(i => y[i]);
            child.Estimate = ((count * mean) + (k * node.Estimate)) / (count + k);
            EstimateChildren(child, adjusted, y, k);
        }
    }

    private static void ComputeResiduals(FitNode node, bool isRoot, double[] y, double[] totalEffect, ScoreRange range, double tolerance, double coverage, int minRows)
    {
        var count = node.Rows.Count;
        if (isRoot || count >= minRows)
        {
            var residuals = new double[count];
            var within = 0;
            for (var j = 0; j < count; j++)
            {
                var i = node.Rows[j];
                residuals[j] = Math.Abs(y[i] - range.Clamp(node.Estimate + totalEffect[i]));
                if (residuals[j] <= tolerance)
                {
                    within++;
                }
            }

            Array.Sort(residuals);

            // Split-conformal rank: the ceil((n + 1) × coverage)-th smallest |residual|; beyond n, the whole range.
            var rank = (int)Math.Ceiling((count + 1) * coverage);
            node.Residuals = new FittedResiduals
            {
                Count = count,
                HalfWidth = rank <= count ? residuals[rank - 1] : range.Width,
                WithinTolerance = (double)within / count,
                MeanAbsoluteError = residuals.Average(),
            };
        }

        foreach (var child in node.Children.Values)
        {
            ComputeResiduals(child, isRoot: false, y, totalEffect, range, tolerance, coverage, minRows);
        }
    }

    private void Check()
    {
        if (FormatVersion != CurrentFormatVersion)
        {
            throw new FormatException($"formatVersion {FormatVersion} is not supported; this library reads version {CurrentFormatVersion}.");
        }

        if (!double.IsFinite(MinScore) || !double.IsFinite(MaxScore) || MinScore >= MaxScore)
        {
            throw new FormatException($"minScore ({MinScore}) and maxScore ({MaxScore}) must be finite with minScore below maxScore.");
        }

        if (!double.IsFinite(Tolerance) || Tolerance <= 0)
        {
            throw new FormatException($"tolerance must be a positive number, not {Tolerance}.");
        }

        if (!(Coverage is > 0 and < 1))
        {
            throw new FormatException($"coverage must be in (0, 1), not {Coverage}.");
        }

        if (Hierarchy is null || Hierarchy.Any(string.IsNullOrWhiteSpace))
        {
            throw new FormatException("hierarchy is missing or holds an empty feature name.");
        }

        if (Root is null)
        {
            throw new FormatException("root is missing.");
        }

        if (Root.Residuals is null)
        {
            throw new FormatException("root.residuals is missing: the root level must carry residual statistics.");
        }

        CheckBaseline(Root, "root", 0);
        if (Factors is null)
        {
            throw new FormatException("factors is missing (use [] for none).");
        }

        for (var f = 0; f < Factors.Count; f++)
        {
            var factor = Factors[f] ?? throw new FormatException($"factors[{f}] is null.");
            if (string.IsNullOrWhiteSpace(factor.Feature) || factor.Effects is null)
            {
                throw new FormatException($"factors[{f}] needs a feature name and effects.");
            }

            foreach (var (value, effect) in factor.Effects)
            {
                if (effect is null || !double.IsFinite(effect.Effect))
                {
                    throw new FormatException($"factors[{f}] ('{factor.Feature}').effects['{value}'] must hold a finite effect.");
                }
            }
        }
    }

    private void CheckBaseline(FittedBaseline baseline, string path, int depth)
    {
        if (!double.IsFinite(baseline.Estimate))
        {
            throw new FormatException($"{path}.estimate must be a finite number.");
        }

        if (baseline.Residuals is { } residuals && (!double.IsFinite(residuals.HalfWidth) || residuals.HalfWidth < 0 || !(residuals.WithinTolerance is >= 0 and <= 1)))
        {
            throw new FormatException($"{path}.residuals must hold halfWidth ≥ 0 and withinTolerance in [0, 1].");
        }

        var children = baseline.Children ?? throw new FormatException($"{path}.children is missing (use {{}} for none).");
        if (children.Count > 0 && depth >= Hierarchy.Count)
        {
            throw new FormatException($"{path} has children below the last hierarchy level.");
        }

        foreach (var (key, child) in children)
        {
            if (child is null)
            {
                throw new FormatException($"{path}.children['{key}'] is null.");
            }

            CheckBaseline(child, $"{path}.children['{key}']", depth + 1);
        }
    }

    private sealed class FitNode(string basis)
    {
        public string Basis { get; } = basis;

        public List<int> Rows { get; } = [];

        public SortedDictionary<string, FitNode> Children { get; } = new(StringComparer.Ordinal);

        public double Mean { get; set; }

        public double Estimate { get; set; }

        public FittedResiduals? Residuals { get; set; }

        public FittedBaseline ToBaseline() => new()
        {
            Count = Rows.Count,
            Mean = Mean,
            Estimate = Estimate,
            Residuals = Residuals,
            Children = Children.ToDictionary(c => c.Key, c => c.Value.ToBaseline(), StringComparer.Ordinal),
        };
    }
}

/// <summary>One group's baseline in a <see cref="FittedHeuristicModel"/>, with its nested groups.</summary>
public sealed class FittedBaseline
{
    /// <summary>Gets the number of rows in the group.</summary>
    public int Count { get; init; }

    /// <summary>Gets the raw mean target of the group's rows.</summary>
    public double Mean { get; init; }

    /// <summary>Gets the shrunk estimate used for prediction (before factor effects).</summary>
    public double Estimate { get; init; }

    /// <summary>Gets the group's residual statistics; <see langword="null"/> when the group had too few rows and uses its parent's.</summary>
    public FittedResiduals? Residuals { get; init; }

    /// <summary>Gets the nested groups of the next hierarchy level, by category.</summary>
    public IReadOnlyDictionary<string, FittedBaseline> Children { get; init; } = new Dictionary<string, FittedBaseline>(StringComparer.Ordinal);
}

/// <summary>Residual statistics of one level of a <see cref="FittedHeuristicModel"/> (in-sample).</summary>
public sealed class FittedResiduals
{
    /// <summary>Gets the number of residuals.</summary>
    public int Count { get; init; }

    /// <summary>Gets the split-conformal |residual| quantile at the model's coverage: the interval's half-width.</summary>
    public double HalfWidth { get; init; }

    /// <summary>Gets the share of rows with |residual| ≤ the tolerance: the confidence reported.</summary>
    public double WithinTolerance { get; init; }

    /// <summary>Gets the mean absolute residual.</summary>
    public double MeanAbsoluteError { get; init; }
}

/// <summary>The additive effects of one categorical factor in a <see cref="FittedHeuristicModel"/>.</summary>
public sealed class FittedFactor
{
    /// <summary>Gets the feature name.</summary>
    public string Feature { get; init; } = "";

    /// <summary>Gets the effect per category; categories not listed add nothing.</summary>
    public IReadOnlyDictionary<string, FittedEffect> Effects { get; init; } = new Dictionary<string, FittedEffect>(StringComparer.Ordinal);
}

/// <summary>The effect of one category of a factor.</summary>
public sealed class FittedEffect
{
    /// <summary>Gets the number of rows with this category.</summary>
    public int Count { get; init; }

    /// <summary>Gets the shrunk effect added to the baseline.</summary>
    public double Effect { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(FittedHeuristicModel))]
internal sealed partial class HeuristicJsonContext : JsonSerializerContext;
