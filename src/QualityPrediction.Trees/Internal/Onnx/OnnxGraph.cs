namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>An ONNX <c>GraphProto</c>: nodes in file order, initializers, graph inputs and outputs.</summary>
internal sealed class OnnxGraph
{
    public List<OnnxNode> Nodes { get; } = [];

    public Dictionary<string, OnnxTensor> Initializers { get; } = new(StringComparer.Ordinal);

    public List<OnnxValueInfo> Inputs { get; } = [];

    public List<OnnxValueInfo> Outputs { get; } = [];
}
