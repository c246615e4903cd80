namespace QualityPrediction.Trees.Internal;

/// <summary>The graph's input or output does not match the manifest (name, type, shape); not a matter of support, so no other runtime would do better.</summary>
internal sealed class GraphMismatchException : Exception
{
    public GraphMismatchException(string message)
        : base(message)
    {
    }

    public GraphMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public GraphMismatchException()
    {
    }
}
