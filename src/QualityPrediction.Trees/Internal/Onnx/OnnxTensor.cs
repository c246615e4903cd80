namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>An ONNX <c>TensorProto</c> of a numeric type the runtime reads (float, double, int64, int32), decoded from its typed fields or raw data.</summary>
internal sealed class OnnxTensor
{
    /// <summary>The ONNX data type FLOAT.</summary>
    public const int Float = 1;

    /// <summary>The ONNX data type INT32.</summary>
    public const int Int32 = 6;

    /// <summary>The ONNX data type INT64.</summary>
    public const int Int64 = 7;

    /// <summary>The ONNX data type DOUBLE.</summary>
    public const int Double = 11;

    public string Name { get; set; } = "";

    public int DataType { get; set; }

    public List<long> Dims { get; } = [];

    /// <summary>Gets the values as doubles (every numeric type the runtime reads converts exactly, except int64 beyond 2^53).</summary>
    public double[] Values { get; set; } = [];

    /// <summary>Gets whether the tensor's data lives in an external file (refused: an artifact is one file).</summary>
    public bool External { get; set; }
}
