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

    /// <summary>Gets or sets the decimal separator of numbers in CSV files: <c>'.'</c>, <c>','</c>, or <see langword="null"/> to detect it per file
    /// (a file separated by semicolons or tabs whose numbers are written <c>7,4</c> uses decimal commas; a file that mixes both is refused).</summary>
    /// <value>The default is <see langword="null"/>: detect.</value>
    public char? DecimalSeparator { get; set; }

    /// <summary>Gets or sets the longest line accepted, in bytes (UTF-8); a longer line is an error naming it, found without reading the line into memory.</summary>
    /// <value>The default is 1 MiB (1,048,576 bytes).</value>
    public int MaxLineBytes { get; set; } = DefaultMaxLineBytes;

    /// <summary>Gets or sets the longest categorical value accepted, in characters; a longer one is a bad row (a model's manifest lists its categories, and must stay within the loader's limits).</summary>
    /// <value>The default is 1,000.</value>
    public int MaxCategoryLength { get; set; } = DefaultMaxCategoryLength;

    /// <summary>The default of <see cref="MaxLineBytes"/>: 1 MiB.</summary>
    public const int DefaultMaxLineBytes = 1 << 20;

    /// <summary>The default of <see cref="MaxCategoryLength"/>.</summary>
    public const int DefaultMaxCategoryLength = 1000;
}
