using System.Buffers.Binary;
using System.Globalization;

namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>
/// Reads the parts of an ONNX model that scoring needs (opsets, the main graph's nodes, attributes, initializers,
/// inputs and outputs) from untrusted bytes. Unknown fields are skipped; the nesting is fixed by the schema
/// (model → graph → node → attribute → tensor), sub-graphs are never descended into, and every count is limited, so
/// the work and memory are bounded by the file's size.
/// </summary>
internal static class OnnxModelReader
{
    /// <summary>The most nodes a graph may have.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>The most values one attribute or tensor may hold (16 Mi; a 2,000-tree, 255-leaf ensemble needs ~1 Mi).</summary>
    public const int MaxValues = 16 * 1024 * 1024;

    /// <summary>The longest name or string value, in bytes.</summary>
    public const int MaxStringBytes = 64 * 1024;

    /// <summary>The most inputs, outputs, attributes or dimensions of one entity.</summary>
    public const int MaxItems = 4096;

    /// <summary>Parses a model.</summary>
    /// <exception cref="OnnxFormatException">The bytes are malformed or exceed a limit.</exception>
    public static OnnxModel Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new OnnxFormatException("the file is empty");
        }

        var model = new OnnxModel();
        var reader = new ProtoReader(bytes);
        var sawGraph = false;
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wire, WireType.Varint, "ModelProto.ir_version");
                    model.IrVersion = reader.ReadInt64();
                    break;
                case 7:
                    reader.Expect(wire, WireType.LengthDelimited, "ModelProto.graph");
                    if (sawGraph)
                    {
                        throw reader.Error("the model has two graphs");
                    }

                    sawGraph = true;
                    var graphReader = reader.ReadMessage();
                    model.Graph = ReadGraph(ref graphReader);
                    break;
                case 8:
                    reader.Expect(wire, WireType.LengthDelimited, "ModelProto.opset_import");
                    var opsetReader = reader.ReadMessage();
                    ReadOpset(ref opsetReader, model);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (!sawGraph)
        {
            throw new OnnxFormatException("the file has no graph (not an ONNX model)");
        }

        return model;
    }

    private static void ReadOpset(ref ProtoReader reader, OnnxModel model)
    {
        var domain = "";
        long version = 0;
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wire, WireType.LengthDelimited, "OperatorSetIdProto.domain");
                    domain = reader.ReadString(MaxStringBytes, "an opset domain");
                    break;
                case 2:
                    reader.Expect(wire, WireType.Varint, "OperatorSetIdProto.version");
                    version = reader.ReadInt64();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (model.Opsets.Count >= MaxItems)
        {
            throw reader.Error("the model imports too many opsets");
        }

        model.Opsets[domain] = version;
    }

    private static OnnxGraph ReadGraph(ref ProtoReader reader)
    {
        var graph = new OnnxGraph();
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wire, WireType.LengthDelimited, "GraphProto.node");
                    if (graph.Nodes.Count >= MaxNodes)
                    {
                        throw reader.Error($"the graph has more than {MaxNodes:N0} nodes, the reader's limit");
                    }

                    var nodeReader = reader.ReadMessage();
                    graph.Nodes.Add(ReadNode(ref nodeReader));
                    break;
                case 5:
                    reader.Expect(wire, WireType.LengthDelimited, "GraphProto.initializer");
                    if (graph.Initializers.Count >= MaxNodes)
                    {
                        throw reader.Error("the graph has too many initializers");
                    }

                    var tensorReader = reader.ReadMessage();
                    var tensor = ReadTensor(ref tensorReader);
                    graph.Initializers[tensor.Name] = tensor;
                    break;
                case 11:
                case 12:
                    reader.Expect(wire, WireType.LengthDelimited, field == 11 ? "GraphProto.input" : "GraphProto.output");
                    var list = field == 11 ? graph.Inputs : graph.Outputs;
                    if (list.Count >= MaxItems)
                    {
                        throw reader.Error("the graph has too many inputs or outputs");
                    }

                    var infoReader = reader.ReadMessage();
                    list.Add(ReadValueInfo(ref infoReader));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return graph;
    }

    private static OnnxNode ReadNode(ref ProtoReader reader)
    {
        var node = new OnnxNode();
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1:
                case 2:
                    reader.Expect(wire, WireType.LengthDelimited, field == 1 ? "NodeProto.input" : "NodeProto.output");
                    var list = field == 1 ? node.Inputs : node.Outputs;
                    if (list.Count >= MaxItems)
                    {
                        throw reader.Error("a node has too many inputs or outputs");
                    }

                    list.Add(reader.ReadString(MaxStringBytes, "a node's input or output name"));
                    break;
                case 3:
                    reader.Expect(wire, WireType.LengthDelimited, "NodeProto.name");
                    node.Name = reader.ReadString(MaxStringBytes, "a node name");
                    break;
                case 4:
                    reader.Expect(wire, WireType.LengthDelimited, "NodeProto.op_type");
                    node.OpType = reader.ReadString(MaxStringBytes, "an operator type");
                    break;
                case 7:
                    reader.Expect(wire, WireType.LengthDelimited, "NodeProto.domain");
                    node.Domain = reader.ReadString(MaxStringBytes, "an operator domain");
                    break;
                case 5:
                    reader.Expect(wire, WireType.LengthDelimited, "NodeProto.attribute");
                    if (node.Attributes.Count >= MaxItems)
                    {
                        throw reader.Error("a node has too many attributes");
                    }

                    var attributeReader = reader.ReadMessage();
                    var attribute = ReadAttribute(ref attributeReader);
                    if (!node.Attributes.TryAdd(attribute.Name, attribute))
                    {
                        throw reader.Error($"a node has the attribute '{attribute.Name}' twice");
                    }

                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return node;
    }

    private static OnnxAttribute ReadAttribute(ref ProtoReader reader)
    {
        var attribute = new OnnxAttribute();
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wire, WireType.LengthDelimited, "AttributeProto.name");
                    attribute.Name = reader.ReadString(MaxStringBytes, "an attribute name");
                    break;
                case 20:
                    reader.Expect(wire, WireType.Varint, "AttributeProto.type");
                    attribute.Type = reader.ReadInt32();
                    break;
                case 2:
                    reader.Expect(wire, WireType.Fixed32, "AttributeProto.f");
                    attribute.F = reader.ReadFloat();
                    break;
                case 3:
                    reader.Expect(wire, WireType.Varint, "AttributeProto.i");
                    attribute.I = reader.ReadInt64();
                    break;
                case 4:
                    reader.Expect(wire, WireType.LengthDelimited, "AttributeProto.s");
                    attribute.S = reader.ReadString(MaxStringBytes, "a string attribute");
                    break;
                case 5:
                    reader.Expect(wire, WireType.LengthDelimited, "AttributeProto.t");
                    var tensorReader = reader.ReadMessage();
                    attribute.Tensor = ReadTensor(ref tensorReader);
                    break;
                case 6:
                case 11:
                    attribute.HasGraph = true;
                    reader.Skip(wire);
                    break;
                case 7:
                    reader.ReadFloats(wire, attribute.Floats, MaxValues, "a floats attribute");
                    break;
                case 8:
                    reader.ReadInt64s(wire, attribute.Ints, MaxValues, "an ints attribute");
                    break;
                case 9:
                    reader.Expect(wire, WireType.LengthDelimited, "AttributeProto.strings");
                    if (attribute.Strings.Count >= MaxValues)
                    {
                        throw reader.Error("a strings attribute has too many values");
                    }

                    attribute.Strings.Add(reader.ReadString(MaxStringBytes, "a strings attribute value"));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return attribute;
    }

    private static OnnxTensor ReadTensor(ref ProtoReader reader)
    {
        var tensor = new OnnxTensor();
        var floats = new List<float>();
        var doubles = new List<double>();
        var longs = new List<long>();
        var raw = ReadOnlySpan<byte>.Empty;
        var rawOffset = 0L;
        var start = reader.Offset;
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1:
                    reader.ReadInt64s(wire, tensor.Dims, MaxItems, "a tensor's dims");
                    break;
                case 2:
                    reader.Expect(wire, WireType.Varint, "TensorProto.data_type");
                    tensor.DataType = reader.ReadInt32();
                    break;
                case 4:
                    reader.ReadFloats(wire, floats, MaxValues, "a tensor's float_data");
                    break;
                case 5:
                case 7:
                    reader.ReadInt64s(wire, longs, MaxValues, field == 5 ? "a tensor's int32_data" : "a tensor's int64_data");
                    break;
                case 8:
                    reader.Expect(wire, WireType.LengthDelimited, "TensorProto.name");
                    tensor.Name = reader.ReadString(MaxStringBytes, "a tensor name");
                    break;
                case 9:
                    reader.Expect(wire, WireType.LengthDelimited, "TensorProto.raw_data");
                    raw = reader.ReadBytes(out rawOffset);
                    break;
                case 10:
                    reader.ReadDoubles(wire, doubles, MaxValues, "a tensor's double_data");
                    break;
                case 13:
                    tensor.External = true;
                    reader.Skip(wire);
                    break;
                case 14:
                    reader.Expect(wire, WireType.Varint, "TensorProto.data_location");
                    tensor.External |= reader.ReadInt32() == 1;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        long count = 1;
        foreach (var dim in tensor.Dims)
        {
            if (dim < 0 || dim > MaxValues || (count *= Math.Max(dim, 1)) > MaxValues)
            {
                throw new OnnxFormatException(string.Create(CultureInfo.InvariantCulture, $"at byte {start}: the tensor '{tensor.Name}' has the shape [{string.Join(", ", tensor.Dims)}], negative or beyond the reader's limit of {MaxValues:N0} values"));
            }
        }

        if (tensor.Dims.Contains(0))
        {
            count = 0;
        }

        if (tensor.External)
        {
            return tensor;
        }

        tensor.Values = tensor.DataType switch
        {
            OnnxTensor.Float => raw.IsEmpty ? [.. floats.Select(f => (double)f)] : Decode(raw, 4, rawOffset, tensor, static b => BinaryPrimitives.ReadSingleLittleEndian(b)),
            OnnxTensor.Double => raw.IsEmpty ? [.. doubles] : Decode(raw, 8, rawOffset, tensor, static b => BinaryPrimitives.ReadDoubleLittleEndian(b)),
            OnnxTensor.Int64 => raw.IsEmpty ? [.. longs.Select(l => (double)l)] : Decode(raw, 8, rawOffset, tensor, static b => BinaryPrimitives.ReadInt64LittleEndian(b)),
            OnnxTensor.Int32 => raw.IsEmpty ? [.. longs.Select(l => (double)(int)l)] : Decode(raw, 4, rawOffset, tensor, static b => BinaryPrimitives.ReadInt32LittleEndian(b)),
            _ => [],
        };

        if (tensor.DataType is OnnxTensor.Float or OnnxTensor.Double or OnnxTensor.Int64 or OnnxTensor.Int32 && tensor.Values.Length != count)
        {
            throw new OnnxFormatException(string.Create(CultureInfo.InvariantCulture, $"at byte {start}: the tensor '{tensor.Name}' has {tensor.Values.Length} values but its shape [{string.Join(", ", tensor.Dims)}] needs {count}"));
        }

        return tensor;
    }

    private delegate double ElementReader(ReadOnlySpan<byte> bytes);

    private static double[] Decode(ReadOnlySpan<byte> raw, int size, long offset, OnnxTensor tensor, ElementReader read)
    {
        if (raw.Length % size != 0)
        {
            throw new OnnxFormatException(string.Create(CultureInfo.InvariantCulture, $"at byte {offset}: the raw data of tensor '{tensor.Name}' has {raw.Length} bytes, not a multiple of {size}"));
        }

        var values = new double[raw.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = read(raw.Slice(i * size, size));
        }

        return values;
    }

    private static OnnxValueInfo ReadValueInfo(ref ProtoReader reader)
    {
        var info = new OnnxValueInfo();
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wire, WireType.LengthDelimited, "ValueInfoProto.name");
                    info.Name = reader.ReadString(MaxStringBytes, "a value name");
                    break;
                case 2:
                    reader.Expect(wire, WireType.LengthDelimited, "ValueInfoProto.type");
                    var typeReader = reader.ReadMessage();
                    ReadType(ref typeReader, info);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return info;
    }

    private static void ReadType(ref ProtoReader reader, OnnxValueInfo info)
    {
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field != 1)
            {
                reader.Skip(wire);
                continue;
            }

            reader.Expect(wire, WireType.LengthDelimited, "TypeProto.tensor_type");
            info.IsTensor = true;
            var tensorType = reader.ReadMessage();
            while (tensorType.TryReadTag(out var f, out var w))
            {
                switch (f)
                {
                    case 1:
                        tensorType.Expect(w, WireType.Varint, "TypeProto.Tensor.elem_type");
                        info.ElementType = tensorType.ReadInt32();
                        break;
                    case 2:
                        tensorType.Expect(w, WireType.LengthDelimited, "TypeProto.Tensor.shape");
                        info.Dims = [];
                        var shape = tensorType.ReadMessage();
                        while (shape.TryReadTag(out var sf, out var sw))
                        {
                            if (sf != 1)
                            {
                                shape.Skip(sw);
                                continue;
                            }

                            shape.Expect(sw, WireType.LengthDelimited, "TensorShapeProto.dim");
                            if (info.Dims.Count >= MaxItems)
                            {
                                throw shape.Error("a shape has too many dimensions");
                            }

                            var dim = shape.ReadMessage();
                            long value = -1;
                            while (dim.TryReadTag(out var df, out var dw))
                            {
                                if (df == 1)
                                {
                                    dim.Expect(dw, WireType.Varint, "Dimension.dim_value");
                                    value = dim.ReadInt64();
                                }
                                else
                                {
                                    dim.Skip(dw);
                                }
                            }

                            info.Dims.Add(value);
                        }

                        break;
                    default:
                        tensorType.Skip(w);
                        break;
                }
            }
        }
    }
}
