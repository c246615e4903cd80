namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>An ONNX <c>ValueInfoProto</c> of a graph input or output: name, tensor element type and shape (−1 for a symbolic or missing dimension).</summary>
internal sealed class OnnxValueInfo
{
    public string Name { get; set; } = "";

    public bool IsTensor { get; set; }

    public int ElementType { get; set; }

    /// <summary>Gets the dimensions, or <see langword="null"/> when the shape is not given.</summary>
    public List<long>? Dims { get; set; }
}
