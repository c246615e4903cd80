using System.Globalization;
using QualityPrediction.Trees.Internal.Onnx;
using QualityPrediction.Trees.Internal.Scoring;

namespace QualityPrediction.Trees.Internal;

/// <summary>
/// The compiled scoring path of an ONNX graph: the chain of nodes from the graph's one float input to the requested
/// score output, i.e. optional feature steps, one <c>ai.onnx.ml.TreeEnsembleRegressor</c>, optional score steps.
/// Nodes that the score does not depend on are ignored (as ONNX Runtime does when only the score is fetched).
/// </summary>
internal sealed class TreeGraph
{
    /// <summary>The operators the runtime runs, for error messages.</summary>
    public const string SupportedOperators = "ai.onnx.ml.TreeEnsembleRegressor, ai.onnx.ml.Scaler, Identity, Cast (to float), and Add, Sub, Mul, Div with a constant";

    private TreeGraph(IVectorStep[] featureSteps, FastEnsemble ensemble, IVectorStep[] scoreSteps, int inputWidth)
    {
        FeatureSteps = featureSteps;
        Ensemble = ensemble;
        ScoreSteps = scoreSteps;
        InputWidth = inputWidth;
    }

    public IVectorStep[] FeatureSteps { get; }

    public FastEnsemble Ensemble { get; }

    public IVectorStep[] ScoreSteps { get; }

    public int InputWidth { get; }

    /// <summary>Gets the widest row any feature step writes (the scratch a row needs).</summary>
    public int MaxWidth => FeatureSteps.Length == 0 ? InputWidth : Math.Max(InputWidth, FeatureSteps.Max(s => s.OutputWidth));

    /// <summary>Compiles the path from <paramref name="inputName"/> (width <paramref name="inputWidth"/>) to <paramref name="outputName"/>.</summary>
    /// <exception cref="OnnxFormatException">The graph is inconsistent.</exception>
    /// <exception cref="UnsupportedGraphException">The path uses an operator or attribute the runtime does not implement.</exception>
    /// <exception cref="GraphMismatchException">The graph's input or output does not match the manifest.</exception>
    public static TreeGraph Compile(OnnxModel model, string inputName, int inputWidth, string outputName)
    {
        var graph = model.Graph;
        var inputs = graph.Inputs.Where(i => !graph.Initializers.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1 || inputs[0].Name != inputName)
        {
            throw new GraphMismatchException($"the model's inputs are [{string.Join(", ", inputs.Select(i => i.Name))}]; the manifest expects exactly one input named '{inputName}'.");
        }

        var input = inputs[0];
        if (!input.IsTensor || input.ElementType != OnnxTensor.Float)
        {
            throw new GraphMismatchException(Invariant($"the model's input '{inputName}' has element type {input.ElementType}, not a float tensor."));
        }

        if (input.Dims is { } dims && (dims.Count != 2 || (dims[1] > 0 && dims[1] != inputWidth)))
        {
            throw new GraphMismatchException($"the model's input '{inputName}' has shape [{string.Join(", ", dims)}] but the manifest's features describe [N, {inputWidth}].");
        }

        if (!graph.Outputs.Any(o => o.Name == outputName))
        {
            throw new GraphMismatchException($"the model has no output named '{outputName}' (it has: {string.Join(", ", graph.Outputs.Select(o => o.Name))}).");
        }

        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            foreach (var output in node.Outputs)
            {
                if (output.Length > 0 && !producers.TryAdd(output, node))
                {
                    throw new OnnxFormatException($"two nodes produce the value '{output}'");
                }
            }
        }

        // Walk back from the score to the input; every node on the way must be one the runtime runs.
        var chain = new List<OnnxNode>();
        var current = outputName;
        while (current != inputName)
        {
            if (!producers.TryGetValue(current, out var node))
            {
                throw graph.Initializers.ContainsKey(current)
                    ? new UnsupportedGraphException($"the score '{outputName}' depends on the constant '{current}', not on the input")
                    : new OnnxFormatException($"no node produces the value '{current}' that the score '{outputName}' depends on");
            }

            if (chain.Count > graph.Nodes.Count)
            {
                throw new OnnxFormatException($"the graph has a cycle through '{current}'");
            }

            CheckSupported(node);
            var data = node.Inputs.Where(i => i.Length > 0 && !graph.Initializers.ContainsKey(i)).ToList();
            if (data.Count != 1)
            {
                throw new UnsupportedGraphException($"{node.Describe()} combines {data.Count} values ([{string.Join(", ", data)}]); the tree runtime runs a chain of one-input operators");
            }

            chain.Add(node);
            current = data[0];
        }

        chain.Reverse();
        var ensembleAt = chain.FindIndex(IsEnsemble);
        if (ensembleAt < 0)
        {
            throw new UnsupportedGraphException($"the score '{outputName}' does not come from an ai.onnx.ml.TreeEnsembleRegressor (the path is: {Path(chain)})");
        }

        if (chain.FindLastIndex(IsEnsemble) != ensembleAt)
        {
            throw new UnsupportedGraphException($"the score passes through two tree ensembles ({Path(chain)})");
        }

        var width = inputWidth;
        var featureSteps = new List<IVectorStep>();
        foreach (var node in chain.Take(ensembleAt))
        {
            if (Step(node, width, graph) is { } step)
            {
                featureSteps.Add(step);
                width = step.OutputWidth;
            }
        }

        var definition = TreeEnsembleDefinition.FromNode(chain[ensembleAt], width);
        var scoreSteps = new List<IVectorStep>();
        foreach (var node in chain.Skip(ensembleAt + 1))
        {
            if (Step(node, 1, graph) is { } step)
            {
                scoreSteps.Add(step);
            }
        }

        return new TreeGraph([.. featureSteps], new FastEnsemble(definition), [.. scoreSteps], inputWidth);
    }

    private static bool IsEnsemble(OnnxNode node) => node.Domain == "ai.onnx.ml" && node.OpType == "TreeEnsembleRegressor";

    private static void CheckSupported(OnnxNode node)
    {
        var supported = node.Domain switch
        {
            "ai.onnx.ml" => node.OpType is "TreeEnsembleRegressor" or "Scaler",
            "" or "ai.onnx" => node.OpType is "Identity" or "Cast" or "Add" or "Sub" or "Mul" or "Div",
            _ => false,
        };
        if (!supported)
        {
            throw new UnsupportedGraphException($"the operator '{node.QualifiedOpType}' ({node.Describe()}) is not supported; the tree runtime runs {SupportedOperators}");
        }
    }

    /// <summary>The step for a supported non-ensemble node, or <see langword="null"/> for a no-op.</summary>
    private static IVectorStep? Step(OnnxNode node, int width, OnnxGraph graph)
    {
        switch (node.OpType)
        {
            case "Add" or "Sub" or "Mul" or "Div":
                return Arithmetic(node, width, graph);
            case "Identity":
                return null;
            case "Cast":
                var to = node.Attributes.TryGetValue("to", out var a) ? a.I : 0;
                if (to != OnnxTensor.Float)
                {
                    throw new UnsupportedGraphException(Invariant($"{node.Describe()} casts to element type {to}; the tree runtime computes in float (type {OnnxTensor.Float})"));
                }

                return null;
            default:
                var offset = node.Attributes.TryGetValue("offset", out var o) ? o.Floats : [];
                var scale = node.Attributes.TryGetValue("scale", out var s) ? s.Floats : [];
                foreach (var (name, values) in new[] { ("offset", offset), ("scale", scale) })
                {
                    if (values.Count is not (0 or 1) && values.Count != width)
                    {
                        throw new OnnxFormatException(Invariant($"{node.Describe()} has {values.Count} {name} values for {width} columns"));
                    }
                }

                foreach (var name in node.Attributes.Keys)
                {
                    if (name is not ("offset" or "scale"))
                    {
                        throw new UnsupportedGraphException($"{node.Describe()} has the attribute '{name}', which the tree runtime does not implement");
                    }
                }

                return new ScalerStep([.. offset], [.. scale], width);
        }
    }

    private static ArithmeticStep Arithmetic(OnnxNode node, int width, OnnxGraph graph)
    {
        if (node.Inputs.Count != 2 || node.Attributes.Count != 0)
        {
            throw new UnsupportedGraphException($"{node.Describe()} has {node.Inputs.Count} inputs and {node.Attributes.Count} attributes; the tree runtime runs a binary operator with a constant and no attributes");
        }

        var constantFirst = graph.Initializers.ContainsKey(node.Inputs[0]);
        var constant = graph.Initializers[node.Inputs[constantFirst ? 0 : 1]];
        if (constant.DataType != OnnxTensor.Float)
        {
            throw new UnsupportedGraphException(Invariant($"{node.Describe()} has a constant of element type {constant.DataType}; the tree runtime computes in float"));
        }

        // One value, or one per column ([W], [1, W]); any other shape would broadcast to more than one row.
        var count = constant.Values.Length;
        var columns = constant.Dims.Count == 0 ? 1 : constant.Dims[^1];
        if (!(count == 1 || (count == width && columns == width && constant.Dims.Take(constant.Dims.Count - 1).All(d => d == 1))))
        {
            throw new UnsupportedGraphException($"{node.Describe()} has a constant of shape [{string.Join(", ", constant.Dims)}], which does not broadcast over rows of {width} values");
        }

        var op = node.OpType switch { "Add" => '+', "Sub" => '-', "Mul" => '*', _ => '/' };
        return new ArithmeticStep(op, [.. constant.Values.Select(v => (float)v)], constantFirst, width);
    }

    private static string Path(List<OnnxNode> chain) =>
        chain.Count == 0 ? "the input itself" : string.Join(" -> ", chain.Select(n => n.QualifiedOpType));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
