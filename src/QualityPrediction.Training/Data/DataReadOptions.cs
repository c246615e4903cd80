namespace QualityPrediction.Training.Data;

/// <summary>What to do with a row that cannot be read.</summary>
public enum BadRowPolicy
{
    /// <summary>Stop at the first bad row with a <see cref="DataFormatException"/> naming the file, line and field.</summary>
    Fail,

    /// <summary>Leave the row out, and list it in <see cref="TrainingData.SkippedRows"/> so that nothing is dropped silently.</summary>
    Skip,
}

/// <summary>How to read training data.</summary>
public sealed class DataReadOptions
{
    /// <summary>Gets or sets the target (label) column.</summary>
    /// <value>The default is <c>quality</c>.</value>
    public string Target { get; set; } = "quality";

    /// <summary>Gets or sets columns that are categorical whatever their values look like (e.g. numeric identifiers).</summary>
    public ICollection<string> Categorical { get; set; } = [];

    /// <summary>Gets or sets columns to leave out of the features.</summary>
    public ICollection<string> Ignore { get; set; } = [];

    /// <summary>Gets or sets what to do with a bad row.</summary>
    /// <value>The default is <see cref="BadRowPolicy.Fail"/>.</value>
    public BadRowPolicy OnBadRow { get; set; } = BadRowPolicy.Fail;

    /// <summary>Gets or sets the share of a column's present values that must be numbers for the column to be numeric; the other values are then bad rows.</summary>
    /// <value>The default is 0.95.</value>
    public double NumericShare { get; set; } = 0.95;
}
