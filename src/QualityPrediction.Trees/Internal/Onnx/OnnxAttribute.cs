namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>An ONNX <c>AttributeProto</c>; sub-graphs are only recorded as present (no operator the runtime supports takes one).</summary>
internal sealed class OnnxAttribute
{
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the declared <c>AttributeType</c> (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS, …).</summary>
    public int Type { get; set; }

    public float F { get; set; }

    public long I { get; set; }

    public string? S { get; set; }

    public OnnxTensor? Tensor { get; set; }

    public List<float> Floats { get; } = [];

    public List<long> Ints { get; } = [];

    public List<string> Strings { get; } = [];

    public bool HasGraph { get; set; }
}
