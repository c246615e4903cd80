namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>The protobuf wire types (groups, 3 and 4, are deprecated and refused).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}
