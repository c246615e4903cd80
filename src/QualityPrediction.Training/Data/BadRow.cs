namespace QualityPrediction.Training.Data;

/// <summary>A row that could not be read: where it is and what is wrong with it.</summary>
/// <param name="File">The file.</param>
/// <param name="Line">The 1-based line where the row starts; 0 when the problem is the file itself (a folder, unreadable).</param>
/// <param name="Field">The field at fault, or <c>(row)</c> when the whole row is malformed.</param>
/// <param name="Problem">What is wrong.</param>
public sealed record BadRow(string File, int Line, string Field, string Problem)
{
    /// <summary>The field name used when the whole row is at fault.</summary>
    public const string WholeRow = "(row)";

    /// <summary>The field name used when a CSV file's header is at fault.</summary>
    public const string Header = "(header)";

    /// <summary>The field name used when the file itself is at fault (with <see cref="Line"/> 0).</summary>
    public const string WholeFile = "(file)";

    /// <summary>Formats the row as <c>file:line: field: problem</c>, or <c>file: problem</c> when the file itself is at fault.</summary>
    /// <returns>The formatted text.</returns>
    public override string ToString() => Line <= 0 ? $"{File}: {Problem}" : $"{File}:{Line}: {Field}: {Problem}";
}

/// <summary>Thrown when training data cannot be read; the message has the form <c>file:line: field: problem</c>.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for a bad row.</summary>
    /// <param name="row">The bad row.</param>
    public DataFormatException(BadRow row)
        : base((row ?? throw new ArgumentNullException(nameof(row))).ToString())
    {
        Row = row;
    }

    /// <summary>Creates the exception for a bad row, keeping the parser's error.</summary>
    /// <param name="row">The bad row.</param>
    /// <param name="innerException">The parser's error.</param>
    public DataFormatException(BadRow row, Exception? innerException)
        : base((row ?? throw new ArgumentNullException(nameof(row))).ToString(), innerException)
    {
        Row = row;
    }

    /// <summary>Gets the bad row.</summary>
    public BadRow Row { get; }
}
