namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>An ONNX <c>NodeProto</c>.</summary>
internal sealed class OnnxNode
{
    public string Name { get; set; } = "";

    public string OpType { get; set; } = "";

    public string Domain { get; set; } = "";

    public List<string> Inputs { get; } = [];

    public List<string> Outputs { get; } = [];

    public Dictionary<string, OnnxAttribute> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the operator's qualified name, e.g. <c>ai.onnx.ml.TreeEnsembleRegressor</c> or <c>Identity</c> for the default domain.</summary>
    public string QualifiedOpType => Domain is "" or "ai.onnx" ? OpType : Domain + "." + OpType;

    /// <summary>Gets a description for error messages: the operator and the node's name.</summary>
    public string Describe() => Name.Length > 0 ? $"node '{Name}' ({QualifiedOpType})" : $"a {QualifiedOpType} node";
}
