using System.Globalization;
using QualityPrediction.Trees.Internal.Onnx;

namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>
/// A validated <c>ai.onnx.ml.TreeEnsembleRegressor</c> (opsets 1 and 3): its trees in the order their first node appears
/// in the file, the aggregate, the base value and the post transform. Malformed attributes are an
/// <see cref="OnnxFormatException"/>; attributes or values the runtime does not implement are an <see cref="UnsupportedGraphException"/>.
/// Thresholds may be float (<c>nodes_values</c>) or double (<c>nodes_values_as_tensor</c>, compared in double as the spec
/// says; ONNX Runtime 1.31 refuses those for float input).
/// </summary>
internal sealed class TreeEnsembleDefinition
{
    /// <summary>The deepest tree accepted (branch nodes on one path).</summary>
    public const int MaxDepth = 1000;

    private static readonly HashSet<string> KnownAttributes = new(StringComparer.Ordinal)
    {
        "aggregate_function", "base_values", "base_values_as_tensor", "n_targets", "post_transform",
        "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes", "nodes_values", "nodes_values_as_tensor",
        "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true", "nodes_hitrates", "nodes_hitrates_as_tensor",
        "target_treeids", "target_nodeids", "target_ids", "target_weights", "target_weights_as_tensor",
    };

    private TreeEnsembleDefinition(DecisionTree[] trees, Aggregate aggregate, double baseValue, int inputWidth)
    {
        Trees = trees;
        Aggregate = aggregate;
        BaseValue = baseValue;
        InputWidth = inputWidth;
    }

    public DecisionTree[] Trees { get; }

    public Aggregate Aggregate { get; }

    public double BaseValue { get; }

    public int InputWidth { get; }

    /// <summary>Gets whether any branch uses <c>BRANCH_EQ</c> or <c>BRANCH_NEQ</c> (which the fast layout does not express).</summary>
    public bool HasEqualityNodes => Trees.Any(t => t.Modes.Any(m => m is NodeMode.BranchEq or NodeMode.BranchNeq));

    /// <summary>Scores one row with the operator's exact semantics: leaf values summed (or min/max) in double in tree order, then the base value, rounded to float once.</summary>
    public float Evaluate(ReadOnlySpan<float> x)
    {
        double score = Aggregate switch
        {
            Aggregate.Min => double.PositiveInfinity,
            Aggregate.Max => double.NegativeInfinity,
            _ => 0,
        };
        foreach (var tree in Trees)
        {
            var v = tree.Evaluate(x);
            score = Aggregate switch
            {
                Aggregate.Min => Math.Min(score, v),
                Aggregate.Max => Math.Max(score, v),
                _ => score + v,
            };
        }

        return Finish(score);
    }

    /// <summary>Applies the average and the base value to an aggregated score and rounds to float.</summary>
    public float Finish(double aggregated)
    {
        if (Trees.Length == 0)
        {
            aggregated = 0;
        }
        else if (Aggregate == Aggregate.Average)
        {
            aggregated /= Trees.Length;
        }

        return (float)(aggregated + BaseValue);
    }

    /// <summary>Reads and validates the node's attributes for an input of <paramref name="inputWidth"/> features.</summary>
    /// <exception cref="OnnxFormatException">The attributes are inconsistent (lengths, ids, cycles, features out of range).</exception>
    /// <exception cref="UnsupportedGraphException">An attribute value the runtime does not implement (several targets, a post transform other than NONE, an unknown attribute).</exception>
    public static TreeEnsembleDefinition FromNode(OnnxNode node, int inputWidth)
    {
        var what = node.Describe();
        foreach (var name in node.Attributes.Keys)
        {
            if (!KnownAttributes.Contains(name))
            {
                throw new UnsupportedGraphException($"{what} has the attribute '{name}', which the tree runtime does not implement");
            }
        }

        var targets = Int(node, "n_targets", 1);
        if (targets != 1)
        {
            throw new UnsupportedGraphException($"{what} has n_targets = {targets}; the tree runtime scores one target");
        }

        var aggregate = Str(node, "aggregate_function", "SUM") switch
        {
            "SUM" => Aggregate.Sum,
            "AVERAGE" => Aggregate.Average,
            "MIN" => Aggregate.Min,
            "MAX" => Aggregate.Max,
            var other => throw new UnsupportedGraphException($"{what} has aggregate_function '{other}'; supported: SUM, AVERAGE, MIN, MAX"),
        };
        // ONNX Runtime ignores post transforms other than PROBIT on a regressor while the ONNX spec applies them, so a
        // graph with one has no single right answer to agree with: refused, and ONNX Runtime (if registered) runs it.
        if (Str(node, "post_transform", "NONE") is var post and not "NONE")
        {
            throw new UnsupportedGraphException($"{what} has post_transform '{post}'; the tree runtime supports NONE");
        }

        var baseValues = Doubles(node, "base_values", "base_values_as_tensor");
        if (baseValues.Length > 1)
        {
            throw new OnnxFormatException($"{what} has {baseValues.Length} base values for one target");
        }

        var treeIds = Ints(node, "nodes_treeids");
        var nodeIds = Ints(node, "nodes_nodeids");
        var featureIds = Ints(node, "nodes_featureids");
        var modeNames = node.Attributes.TryGetValue("nodes_modes", out var modesAttribute) ? modesAttribute.Strings : [];
        var values = Doubles(node, "nodes_values", "nodes_values_as_tensor");
        var trueIds = Ints(node, "nodes_truenodeids");
        var falseIds = Ints(node, "nodes_falsenodeids");
        var missing = Ints(node, "nodes_missing_value_tracks_true");
        var count = treeIds.Count;
        Same(what, count, nodeIds.Count, "nodes_nodeids");
        Same(what, count, featureIds.Count, "nodes_featureids");
        Same(what, count, modeNames.Count, "nodes_modes");
        Same(what, count, values.Length, "nodes_values");
        Same(what, count, trueIds.Count, "nodes_truenodeids");
        Same(what, count, falseIds.Count, "nodes_falsenodeids");
        if (missing.Count != 0)
        {
            Same(what, count, missing.Count, "nodes_missing_value_tracks_true");
        }

        // (tree id, node id) -> index into the attribute arrays; tree ids in order of first appearance.
        var index = new Dictionary<(long Tree, long Node), int>(count);
        var treeOrder = new List<long>();
        var seenTrees = new HashSet<long>();
        for (var i = 0; i < count; i++)
        {
            if (!index.TryAdd((treeIds[i], nodeIds[i]), i))
            {
                throw new OnnxFormatException(Invariant($"{what}: tree {treeIds[i]} has node {nodeIds[i]} twice"));
            }

            if (seenTrees.Add(treeIds[i]))
            {
                treeOrder.Add(treeIds[i]);
            }
        }

        var modes = new NodeMode[count];
        for (var i = 0; i < count; i++)
        {
            modes[i] = modeNames[i] switch
            {
                "BRANCH_LEQ" => NodeMode.BranchLeq,
                "BRANCH_LT" => NodeMode.BranchLt,
                "BRANCH_GTE" => NodeMode.BranchGte,
                "BRANCH_GT" => NodeMode.BranchGt,
                "BRANCH_EQ" => NodeMode.BranchEq,
                "BRANCH_NEQ" => NodeMode.BranchNeq,
                "LEAF" => NodeMode.Leaf,
                var other => throw new OnnxFormatException(Invariant($"{what}: node {nodeIds[i]} of tree {treeIds[i]} has the unknown mode '{other}'")),
            };
            if (modes[i] != NodeMode.Leaf && (featureIds[i] < 0 || featureIds[i] >= inputWidth))
            {
                throw new OnnxFormatException(Invariant($"{what}: node {nodeIds[i]} of tree {treeIds[i]} tests feature {featureIds[i]}, outside the input's {inputWidth} features"));
            }
        }

        // Leaf weights: several votes for the same leaf add up.
        var leafWeights = new double[count];
        var targetTrees = Ints(node, "target_treeids");
        var targetNodes = Ints(node, "target_nodeids");
        var targetIds = Ints(node, "target_ids");
        var weights = Doubles(node, "target_weights", "target_weights_as_tensor");
        Same(what, targetTrees.Count, targetNodes.Count, "target_nodeids");
        Same(what, targetTrees.Count, targetIds.Count, "target_ids");
        Same(what, targetTrees.Count, weights.Length, "target_weights");
        for (var k = 0; k < targetTrees.Count; k++)
        {
            if (targetIds[k] != 0)
            {
                throw new OnnxFormatException(Invariant($"{what}: a leaf weight is for target {targetIds[k]} but the model has one target"));
            }

            if (!index.TryGetValue((targetTrees[k], targetNodes[k]), out var at))
            {
                throw new OnnxFormatException(Invariant($"{what}: a leaf weight names node {targetNodes[k]} of tree {targetTrees[k]}, which does not exist"));
            }

            if (modes[at] != NodeMode.Leaf)
            {
                throw new OnnxFormatException(Invariant($"{what}: a leaf weight names node {targetNodes[k]} of tree {targetTrees[k]}, which is not a leaf"));
            }

            leafWeights[at] += weights[k];
        }

        var trees = new DecisionTree[treeOrder.Count];
        for (var t = 0; t < trees.Length; t++)
        {
            trees[t] = BuildTree(what, treeOrder[t], index, modes, featureIds, values, trueIds, falseIds, missing, leafWeights);
        }

        return new TreeEnsembleDefinition(trees, aggregate, baseValues.Length == 1 ? baseValues[0] : 0, inputWidth);
    }

    private static DecisionTree BuildTree(
        string what,
        long treeId,
        Dictionary<(long Tree, long Node), int> index,
        NodeMode[] modes,
        List<long> featureIds,
        double[] values,
        List<long> trueIds,
        List<long> falseIds,
        List<long> missing,
        double[] leafWeights)
    {
        if (!index.TryGetValue((treeId, 0), out var root))
        {
            throw new OnnxFormatException(Invariant($"{what}: tree {treeId} has no node 0 (its root)"));
        }

        // Breadth-first renumbering from the root; every node may be reached once (a tree, not a graph).
        var order = new List<int> { root };
        var depthOf = new List<int> { 0 };
        var local = new Dictionary<int, int> { [root] = 0 };
        var trueLocal = new List<int>();
        var falseLocal = new List<int>();
        var depth = 0;
        for (var head = 0; head < order.Count; head++)
        {
            var at = order[head];
            if (modes[at] == NodeMode.Leaf)
            {
                trueLocal.Add(-1);
                falseLocal.Add(-1);
                continue;
            }

            var childDepth = depthOf[head] + 1;
            if (childDepth > MaxDepth)
            {
                throw new UnsupportedGraphException(Invariant($"{what}: tree {treeId} is deeper than {MaxDepth} levels"));
            }

            depth = Math.Max(depth, childDepth);
            trueLocal.Add(Child(trueIds[at]));
            falseLocal.Add(Child(falseIds[at]));

            int Child(long id)
            {
                if (!index.TryGetValue((treeId, id), out var child))
                {
                    throw new OnnxFormatException(Invariant($"{what}: tree {treeId} branches to node {id}, which does not exist"));
                }

                if (!local.TryAdd(child, order.Count))
                {
                    throw new OnnxFormatException(Invariant($"{what}: tree {treeId} reaches node {id} twice (a cycle or a shared node)"));
                }

                order.Add(child);
                depthOf.Add(childDepth);
                return order.Count - 1;
            }
        }

        var n = order.Count;
        var treeModes = new NodeMode[n];
        var features = new int[n];
        var thresholds = new double[n];
        var tracks = new bool[n];
        var leaves = new double[n];
        for (var i = 0; i < n; i++)
        {
            var at = order[i];
            treeModes[i] = modes[at];
            features[i] = modes[at] == NodeMode.Leaf ? 0 : (int)featureIds[at];
            thresholds[i] = values[at];
            tracks[i] = missing.Count != 0 && missing[at] != 0;
            leaves[i] = modes[at] == NodeMode.Leaf ? leafWeights[at] : 0;
        }

        return new DecisionTree(treeModes, features, thresholds, [.. trueLocal], [.. falseLocal], tracks, leaves, depth);
    }

    private static void Same(string what, int expected, int actual, string attribute)
    {
        if (expected != actual)
        {
            throw new OnnxFormatException(Invariant($"{what}: {attribute} has {actual} values but nodes_treeids (or target_treeids) has {expected}"));
        }
    }

    private static long Int(OnnxNode node, string name, long fallback) =>
        node.Attributes.TryGetValue(name, out var a) ? a.I : fallback;

    private static string Str(OnnxNode node, string name, string fallback) =>
        node.Attributes.TryGetValue(name, out var a) && a.S is { } s ? s : fallback;

    private static List<long> Ints(OnnxNode node, string name) =>
        node.Attributes.TryGetValue(name, out var a) ? a.Ints : [];

    private static double[] Doubles(OnnxNode node, string floatsName, string tensorName)
    {
        if (node.Attributes.TryGetValue(tensorName, out var tensor) && tensor.Tensor is { } t)
        {
            if (t.External)
            {
                throw new UnsupportedGraphException($"{node.Describe()}: the attribute '{tensorName}' keeps its data in an external file");
            }

            return t.Values;
        }

        return node.Attributes.TryGetValue(floatsName, out var floats) ? [.. floats.Floats.Select(f => (double)f)] : [];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
