namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>
/// One validated tree, its reachable nodes renumbered in breadth-first order (the root is 0) with the modes and
/// thresholds exactly as the file gives them. Leaves have <see cref="NodeMode.Leaf"/> and their summed weight.
/// </summary>
internal sealed class DecisionTree
{
    public DecisionTree(NodeMode[] modes, int[] features, double[] thresholds, int[] trueChildren, int[] falseChildren, bool[] missingTracksTrue, double[] leafValues, int depth)
    {
        Modes = modes;
        Features = features;
        Thresholds = thresholds;
        TrueChildren = trueChildren;
        FalseChildren = falseChildren;
        MissingTracksTrue = missingTracksTrue;
        LeafValues = leafValues;
        Depth = depth;
    }

    public NodeMode[] Modes { get; }

    public int[] Features { get; }

    /// <summary>Gets the thresholds as the file gives them (float values widened exactly, or the double tensor's values).</summary>
    public double[] Thresholds { get; }

    public int[] TrueChildren { get; }

    public int[] FalseChildren { get; }

    /// <summary>Gets whether a missing (NaN) input takes the true branch (<c>nodes_missing_value_tracks_true</c>); otherwise NaN fails the comparison.</summary>
    public bool[] MissingTracksTrue { get; }

    public double[] LeafValues { get; }

    /// <summary>Gets the number of branch nodes on the longest root-to-leaf path.</summary>
    public int Depth { get; }

    public int NodeCount => Modes.Length;

    /// <summary>Follows the tree for one input row with the operator's exact semantics (NaN included); returns the leaf's value.</summary>
    public double Evaluate(ReadOnlySpan<float> x)
    {
        var i = 0;
        while (Modes[i] != NodeMode.Leaf)
        {
            var value = (double)x[Features[i]];
            var t = Thresholds[i];
            bool condition;
            if (double.IsNaN(value) && MissingTracksTrue[i])
            {
                condition = true;
            }
            else
            {
                condition = Modes[i] switch
                {
                    NodeMode.BranchLeq => value <= t,
                    NodeMode.BranchLt => value < t,
                    NodeMode.BranchGte => value >= t,
                    NodeMode.BranchGt => value > t,
                    NodeMode.BranchEq => value == t,
                    _ => value != t,
                };
            }

            i = condition ? TrueChildren[i] : FalseChildren[i];
        }

        return LeafValues[i];
    }
}
