namespace QualityPrediction.Models;

/// <summary>
/// A runtime cannot run this model although the file is sound: its graph uses an operator, attribute or mode the runtime
/// does not implement. With an inferred runtime the next runtime that reads the format is tried; the message names what is unsupported.
/// </summary>
public sealed class UnsupportedModelException : ModelLoadException
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedModelException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public UnsupportedModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying error.</param>
    public UnsupportedModelException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the file and what is unsupported.</summary>
    /// <param name="file">The artifact.</param>
    /// <param name="reason">What the runtime does not support, e.g. <c>the operator 'ai.onnx.ml.SVMRegressor' is not supported</c>.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public UnsupportedModelException(string file, string reason, Exception? innerException = null)
        : base(file, reason, innerException)
    {
    }
}
