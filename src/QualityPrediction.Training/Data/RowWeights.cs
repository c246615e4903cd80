using System.Globalization;

namespace QualityPrediction.Training.Data;

/// <summary>Which columns give per-row training weights, and how selection probabilities become weights.</summary>
public sealed class RowWeightOptions
{
    /// <summary>Gets or sets the column holding a per-row weight (finite, ≥ 0), e.g. to count some sources more than others.</summary>
    /// <value>The default is <see langword="null"/>: no weight column.</value>
    public string? WeightColumn { get; set; }

    /// <summary>
    /// Gets or sets the column holding the recorded selection probability p ∈ (0, 1] of each row (the probability with which the
    /// ranking policy chose the candidate whose outcome the row is, <c>selectionProbability</c> in the feedback records).
    /// Each row is weighted by 1/p (inverse-propensity weighting), clipped at <see cref="MaxInverseProbability"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no propensity column.</value>
    public string? PropensityColumn { get; set; }

    /// <summary>Gets or sets the largest inverse-propensity weight: 1/p is clipped to it, so a handful of rare explorations cannot dominate the fit.</summary>
    /// <value>The default is 20 (selection probabilities below 0.05 count as 0.05).</value>
    public double MaxInverseProbability { get; set; } = 20;
}

/// <summary>Turns weight and selection-probability columns of the data into per-row training weights.</summary>
public static class RowWeights
{
    /// <summary>
    /// Takes the weight and propensity columns out of the features and sets <see cref="TrainingData.Weights"/>: a row's weight is
    /// its weight column (1 when none) times min(1/p, <see cref="RowWeightOptions.MaxInverseProbability"/>) of its propensity
    /// column (1 when none).
    /// </summary>
    /// <param name="data">The data as read; the columns are numeric features in it.</param>
    /// <param name="options">The columns.</param>
    /// <returns>The data without those columns and with weights; <paramref name="data"/> itself when neither column is set.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A column is not in the data or is categorical, a row has no value in it (the message names the row's file and line), a
    /// weight is negative, a probability is outside (0, 1], every weight is 0, or <see cref="RowWeightOptions.MaxInverseProbability"/> is below 1.
    /// </exception>
    public static TrainingData Apply(TrainingData data, RowWeightOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.WeightColumn is null && options.PropensityColumn is null)
        {
            return data;
        }

        if (!(options.MaxInverseProbability >= 1) || double.IsInfinity(options.MaxInverseProbability))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The largest inverse-propensity weight must be a finite number ≥ 1, not {options.MaxInverseProbability}."), nameof(options));
        }

        if (options.WeightColumn is not null && options.WeightColumn == options.PropensityColumn)
        {
            throw new ArgumentException($"'{options.WeightColumn}' cannot be both the weight and the propensity column.", nameof(options));
        }

        if (options.WeightColumn == data.Target || options.PropensityColumn == data.Target)
        {
            throw new ArgumentException($"The target '{data.Target}' cannot be a weight or propensity column.", nameof(options));
        }

        CheckColumn(data, options.WeightColumn, "weight");
        CheckColumn(data, options.PropensityColumn, "propensity");

        var weights = new double[data.Count];
        var contexts = new PredictionContext[data.Count];
        var total = 0.0;
        for (var i = 0; i < data.Count; i++)
        {
            var context = data.Contexts[i].Clone();
            var weight = 1.0;
            if (options.WeightColumn is { } weightColumn)
            {
                weight = Take(data, context, i, weightColumn, "weight");
                if (weight < 0)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{data.Locations[i]}: the weight '{weightColumn}' is {weight}; weights must be ≥ 0."), nameof(data));
                }
            }

            if (options.PropensityColumn is { } propensityColumn)
            {
                var p = Take(data, context, i, propensityColumn, "selection probability");
                if (!(p is > 0 and <= 1))
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{data.Locations[i]}: the selection probability '{propensityColumn}' is {p}; it must lie in (0, 1]."), nameof(data));
                }

                weight *= Math.Min(1 / p, options.MaxInverseProbability);
            }

            weights[i] = weight;
            contexts[i] = context;
            total += weight;
        }

        if (total <= 0)
        {
            throw new ArgumentException("Every row has weight 0: nothing to train on.", nameof(data));
        }

        var parts = new List<string>();
        if (options.WeightColumn is not null)
        {
            parts.Add(options.WeightColumn);
        }

        if (options.PropensityColumn is not null)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"min(1/{options.PropensityColumn}, {options.MaxInverseProbability})"));
        }

        var removed = new HashSet<string>(StringComparer.Ordinal);
        if (options.WeightColumn is not null)
        {
            removed.Add(options.WeightColumn);
        }

        if (options.PropensityColumn is not null)
        {
            removed.Add(options.PropensityColumn);
        }

        return new TrainingData(data.Target, contexts, data.Targets, data.Locations, [.. data.Columns.Where(c => !removed.Contains(c.Name))])
        {
            Sources = data.Sources,
            Sha256 = data.Sha256,
            RowKeys = data.RowKeys,
            SkippedRows = data.SkippedRows,
            IgnoredFields = [.. data.IgnoredFields, .. removed.Order(StringComparer.Ordinal).Select(c => $"{c}: row weight")],
            ReadWarnings = data.ReadWarnings,
            Weights = weights,
            WeightSource = string.Join(" × ", parts),
        };
    }

    private static void CheckColumn(TrainingData data, string? column, string role)
    {
        if (column is null)
        {
            return;
        }

        var found = data.Columns.FirstOrDefault(c => c.Name == column);
        if (found is null)
        {
            throw new ArgumentException($"The {role} column '{column}' is not in the data (columns: {string.Join(", ", data.Columns.Select(c => c.Name))}).", nameof(data));
        }

        if (found.Kind != FeatureKind.Numeric)
        {
            throw new ArgumentException($"The {role} column '{column}' is categorical; it must hold numbers.", nameof(data));
        }
    }

    private static double Take(TrainingData data, PredictionContext context, int row, string column, string role)
    {
        if (!context.TryGetNumber(column, out var value) || !double.IsFinite(value))
        {
            throw new ArgumentException($"{data.Locations[row]}: the row has no {role} in column '{column}'.", nameof(data));
        }

        context.Remove(column);
        return value;
    }
}
