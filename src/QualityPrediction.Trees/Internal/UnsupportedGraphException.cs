namespace QualityPrediction.Trees.Internal;

/// <summary>The graph is well formed but uses an operator, attribute or mode the tree runtime does not implement; the message names it.</summary>
internal sealed class UnsupportedGraphException : Exception
{
    public UnsupportedGraphException(string message)
        : base(message)
    {
    }

    public UnsupportedGraphException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public UnsupportedGraphException()
    {
    }
}
