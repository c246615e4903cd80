namespace QualityPrediction.Models;

/// <summary>Thrown by a <see cref="ModelPredictor"/> asked to predict while its model has no version live (still loading, missing or refused: the message says which).</summary>
public sealed class ModelNotLoadedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelNotLoadedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ModelNotLoadedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the load error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">Why the model is not loaded.</param>
    public ModelNotLoadedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
