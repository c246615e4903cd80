namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>The parts of an ONNX <c>ModelProto</c> the tree runtime reads.</summary>
internal sealed class OnnxModel
{
    public long IrVersion { get; set; }

    /// <summary>Gets the operator set versions by domain (<c>""</c> and <c>ai.onnx</c> are the default domain).</summary>
    public Dictionary<string, long> Opsets { get; } = new(StringComparer.Ordinal);

    public OnnxGraph Graph { get; set; } = new();
}
