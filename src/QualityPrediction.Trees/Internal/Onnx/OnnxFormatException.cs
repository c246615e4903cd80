namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>The bytes are not a well-formed ONNX protobuf within the reader's limits; the message names the byte offset and the field.</summary>
internal sealed class OnnxFormatException : Exception
{
    public OnnxFormatException(string message)
        : base(message)
    {
    }

    public OnnxFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public OnnxFormatException()
    {
    }
}
