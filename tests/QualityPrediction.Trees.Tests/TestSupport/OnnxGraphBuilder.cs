namespace QualityPrediction.Trees.Tests.TestSupport;

/// <summary>
/// Writes small ONNX models for the tests: one float input <c>Features</c> [N, width], a chain of nodes and the output
/// <c>Score.output</c> [N, 1]. Attribute values are written as ONNX's AttributeProto types.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly int _width;

    public OnnxGraphBuilder(int width)
    {
        _width = width;
    }

    public string InputName { get; set; } = "Features";

    public string OutputName { get; set; } = "Score.output";

    /// <summary>Adds a node; attribute values may be long, float, string, long[], float[], string[] or double[] (written as a double tensor).</summary>
    public OnnxGraphBuilder Node(string opType, string domain, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        _nodes.Add(w =>
        {
            foreach (var input in inputs)
            {
                w.String(1, input);
            }

            foreach (var output in outputs)
            {
                w.String(2, output);
            }

            w.String(3, opType + "_" + outputs[0]);
            w.String(4, opType);
            if (domain.Length > 0)
            {
                w.String(7, domain);
            }

            foreach (var (name, value) in attributes)
            {
                w.Message(5, a =>
                {
                    a.String(1, name);
                    switch (value)
                    {
                        case long i:
                            a.Varint(20, 2).Varint(3, i);
                            break;
                        case float f:
                            a.Varint(20, 1).Float(2, f);
                            break;
                        case string s:
                            a.Varint(20, 3).String(4, s);
                            break;
                        case float[] fs:
                            a.Varint(20, 6).PackedFloats(7, fs);
                            break;
                        case long[] ls:
                            a.Varint(20, 7).PackedInts(8, ls);
                            break;
                        case string[] ss:
                            a.Varint(20, 8);
                            foreach (var s in ss)
                            {
                                a.String(9, s);
                            }

                            break;
                        case double[] ds:
                            a.Varint(20, 4).Message(5, t =>
                            {
                                t.PackedInts(1, [ds.Length]).Varint(2, 11);
                                var raw = new byte[ds.Length * 8];
                                for (var k = 0; k < ds.Length; k++)
                                {
                                    BitConverter.TryWriteBytes(raw.AsSpan(k * 8), ds[k]);
                                }

                                t.Bytes(9, raw);
                            });
                            break;
                        default:
                            throw new ArgumentException($"Unsupported attribute value {value.GetType()}.");
                    }
                });
            }
        });
        return this;
    }

    /// <summary>Adds a float initializer (a constant).</summary>
    public OnnxGraphBuilder Constant(string name, long[] dims, float[] values)
    {
        _initializers.Add(w =>
        {
            w.PackedInts(1, dims).Varint(2, 1).PackedFloats(4, values).String(8, name);
        });
        return this;
    }

    public byte[] Build(long mlOpset = 3, long defaultOpset = 15)
    {
        var model = new ProtoWriter();
        model.Varint(1, 8);
        model.String(2, "QualityPrediction.Trees.Tests");
        model.Message(8, o => o.String(1, "").Varint(2, defaultOpset));
        model.Message(8, o => o.String(1, "ai.onnx.ml").Varint(2, mlOpset));
        model.Message(7, g =>
        {
            foreach (var node in _nodes)
            {
                g.Message(1, node);
            }

            g.String(2, "test");
            foreach (var initializer in _initializers)
            {
                g.Message(5, initializer);
            }

            g.Message(11, v => ValueInfo(v, InputName, -1, _width));
            g.Message(12, v => ValueInfo(v, OutputName, -1, 1));
        });
        return model.ToArray();
    }

    private static void ValueInfo(ProtoWriter v, string name, long rows, long columns)
    {
        v.String(1, name);
        v.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Varint(1, 1);
            tensor.Message(2, shape =>
            {
                shape.Message(1, d =>
                {
                    if (rows < 0)
                    {
                        d.String(2, "N");
                    }
                    else
                    {
                        d.Varint(1, rows);
                    }
                });
                shape.Message(1, d => d.Varint(1, columns));
            });
        }));
    }
}
