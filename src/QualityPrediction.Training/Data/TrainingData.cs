namespace QualityPrediction.Training.Data;

/// <summary>Rows read for training or evaluation: contexts, targets and where each row came from.</summary>
public sealed class TrainingData
{
    /// <summary>Creates a data set.</summary>
    /// <param name="target">The target column.</param>
    /// <param name="contexts">The feature contexts, one per row.</param>
    /// <param name="targets">The targets, one per row.</param>
    /// <param name="locations">Where each row came from (<c>file:line</c>).</param>
    /// <param name="columns">The feature columns and their kinds, in first-seen order.</param>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public TrainingData(string target, IReadOnlyList<PredictionContext> contexts, IReadOnlyList<double> targets, IReadOnlyList<string> locations, IReadOnlyList<DataColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(locations);
        ArgumentNullException.ThrowIfNull(columns);
        if (contexts.Count != targets.Count || contexts.Count != locations.Count)
        {
            throw new ArgumentException($"{contexts.Count} contexts, {targets.Count} targets and {locations.Count} locations: the lists must have one entry per row.", nameof(targets));
        }

        Target = target;
        Contexts = contexts;
        Targets = targets;
        Locations = locations;
        Columns = columns;
    }

    /// <summary>Gets the target column.</summary>
    public string Target { get; }

    /// <summary>Gets the feature contexts, one per row.</summary>
    public IReadOnlyList<PredictionContext> Contexts { get; }

    /// <summary>Gets the targets, one per row.</summary>
    public IReadOnlyList<double> Targets { get; }

    /// <summary>Gets where each row came from (<c>file:line</c>).</summary>
    public IReadOnlyList<string> Locations { get; }

    /// <summary>Gets the feature columns and their kinds.</summary>
    public IReadOnlyList<DataColumn> Columns { get; }

    /// <summary>Gets the number of rows.</summary>
    public int Count => Contexts.Count;

    /// <summary>Gets the files read.</summary>
    public IList<string> Sources { get; init; } = [];

    /// <summary>Gets the lowercase hex SHA-256 over the rows as read (see <c>docs/training.md</c>).</summary>
    public string Sha256 { get; init; } = "";

    /// <summary>Gets a stable key per row computed from the record as read (all fields, including ignored ones), or empty when the rows were not read from files.</summary>
    public IReadOnlyList<string> RowKeys { get; init; } = [];

    /// <summary>Gets the rows left out under <see cref="BadRowPolicy.Skip"/>.</summary>
    public IReadOnlyList<BadRow> SkippedRows { get; init; } = [];

    /// <summary>Gets fields present in the data but not used as features, with the reason (e.g. <c>timestamp: ignored (--ignore)</c>).</summary>
    public IReadOnlyList<string> IgnoredFields { get; init; } = [];

    /// <summary>Gets what the reader noticed about the data that is not a bad row (e.g. a column of numbers with some text, read as categorical); the data checks repeat them as warnings.</summary>
    public IReadOnlyList<string> ReadWarnings { get; init; } = [];

    /// <summary>Gets the per-row training weights (one per row, finite, ≥ 0), or <see langword="null"/> when every row counts the same. Set by <see cref="RowWeights.Apply"/>.</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>Gets how <see cref="Weights"/> were made (e.g. <c>weight × min(1/selectionProbability, 20)</c>), recorded in the manifest; <see langword="null"/> when unweighted.</summary>
    public string? WeightSource { get; init; }

    /// <summary>Returns the rows at <paramref name="indices"/> as a new data set.</summary>
    /// <param name="indices">The row indices.</param>
    /// <returns>The subset.</returns>
    public TrainingData Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return new TrainingData(Target, [.. indices.Select(i => Contexts[i])], [.. indices.Select(i => Targets[i])], [.. indices.Select(i => Locations[i])], Columns)
        {
            Sources = Sources,
            Sha256 = Sha256,
            RowKeys = RowKeys.Count == Count ? [.. indices.Select(i => RowKeys[i])] : [],
            Weights = Weights is null ? null : [.. indices.Select(i => Weights[i])],
            WeightSource = WeightSource,
        };
    }
}

/// <summary>A feature column of the data and its kind.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Kind">Numeric or categorical.</param>
public sealed record DataColumn(string Name, FeatureKind Kind);
