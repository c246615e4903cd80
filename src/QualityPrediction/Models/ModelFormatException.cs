namespace QualityPrediction.Models;

/// <summary>A model artifact or manifest was refused: missing, malformed, inconsistent, or failing verification.</summary>
public class ModelLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelLoadException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ModelLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying error, e.g. the engine's own exception.</param>
    public ModelLoadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the file and the reason.</summary>
    /// <param name="file">The file that was refused.</param>
    /// <param name="reason">Why it was refused.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ModelLoadException(string file, string reason, Exception? innerException)
        : base($"{file}: {reason}", innerException)
    {
        File = file;
        Reason = reason;
    }

    /// <summary>Gets the file that was refused, when known.</summary>
    public string? File { get; }

    /// <summary>Gets why the file was refused, when known.</summary>
    public string? Reason { get; }
}

/// <summary>A manifest is malformed or inconsistent (unknown format version, missing fields, mismatched features).</summary>
public sealed class ModelFormatException : ModelLoadException
{
    /// <summary>Creates the exception.</summary>
    public ModelFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying error.</param>
    public ModelFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the file and the reason.</summary>
    /// <param name="file">The file that was refused.</param>
    /// <param name="reason">Why it was refused.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ModelFormatException(string file, string reason, Exception? innerException = null)
        : base(file, reason, innerException)
    {
    }
}
