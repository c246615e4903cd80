using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>
/// The fast scoring of a tree ensemble: <see cref="QuickScorer"/> when every tree has at most 64 leaves; otherwise this
/// layout, every branch rewritten as "go left when <c>x[f] &lt;= t</c>" (exactly, see
/// <see cref="Normalize"/>), children stored side by side so the next node is <c>Next + (x[f] &gt; t)</c> without a
/// branch, leaves as self-loops. Trees are grouped eight at a time by depth and walked together for the group's depth,
/// eight independent chains of loads that the CPU overlaps; a batch walks eight rows through one tree at a time. The
/// leaf values are added in double, tree after tree in the layout's order, for a single row and a batch alike.
/// Immutable after construction, so any number of threads score concurrently without locks.
/// </summary>
/// <remarks>
/// Rows with a NaN feature, and ensembles with <c>BRANCH_EQ</c>/<c>BRANCH_NEQ</c>, take the exact node-by-node walk of
/// <see cref="DecisionTree.Evaluate"/> (same tree order): NaN is where the modes and
/// <c>nodes_missing_value_tracks_true</c> differ, and equality has no "&lt;=" form.
/// </remarks>
internal sealed class FastEnsemble
{
    private const int Group = 8;

    private readonly TreeEnsembleDefinition _definition;
    private readonly FastNode[] _nodes;
    private readonly double[] _leafValues;
    private readonly int[] _roots;
    private readonly int[] _depths;
    private readonly int[] _order;
    private readonly int _width;
    private readonly bool _exactOnly;
    private readonly QuickScorer? _quick;

    public FastEnsemble(TreeEnsembleDefinition definition)
    {
        _definition = definition;
        _width = definition.InputWidth;
        _exactOnly = definition.HasEqualityNodes || _width == 0;
        var trees = definition.Trees;
        _quick = _exactOnly ? null : QuickScorer.TryCreate(definition);

        // The walk takes the deepest trees first, so that a group of eight walks about as long as its members need
        // (stable: ties keep file order); QuickScorer keeps the file order.
        _order = _quick is null ? [.. Enumerable.Range(0, trees.Length).OrderByDescending(t => trees[t].Depth)] : [.. Enumerable.Range(0, trees.Length)];
        _roots = new int[trees.Length];
        _depths = new int[trees.Length];
        var nodes = new List<FastNode>(trees.Sum(t => t.NodeCount) + 1);
        var leaves = new List<double>(nodes.Capacity);
        for (var k = 0; k < _order.Length; k++)
        {
            var tree = trees[_order[k]];
            _depths[k] = tree.Depth;
            _roots[k] = nodes.Count;
            if (!_exactOnly && _quick is null)
            {
                Lay(tree, nodes, leaves);
            }
        }

        _nodes = [.. nodes];
        _leafValues = [.. leaves];
    }

    public TreeEnsembleDefinition Definition => _definition;

    /// <summary>Gets whether rows without NaN are scored with <see cref="QuickScorer"/> (otherwise with the interleaved walk).</summary>
    public bool UsesQuickScorer => _quick is not null;

    /// <summary>Gets whether QuickScorer applies its masks through the per-feature <see cref="BinTable"/>.</summary>
    public bool UsesBinTable => _quick?.UsesBinTable == true;

    /// <summary>Scores one row of <see cref="TreeEnsembleDefinition.InputWidth"/> values (checked by the caller).</summary>
    public float Score(ReadOnlySpan<float> x) => _definition.Aggregate switch
    {
        Aggregate.Min => _definition.Finish(Aggregated<Aggregators.MinAggregator>(x)),
        Aggregate.Max => _definition.Finish(Aggregated<Aggregators.MaxAggregator>(x)),
        _ => _definition.Finish(Aggregated<Aggregators.SumAggregator>(x)),
    };

    /// <summary>Scores <c>scores.Length</c> rows stored one after the other in <paramref name="rows"/>.</summary>
    public void ScoreBatch(ReadOnlySpan<float> rows, Span<float> scores)
    {
        switch (_definition.Aggregate)
        {
            case Aggregate.Min:
                Batch<Aggregators.MinAggregator>(rows, scores);
                break;
            case Aggregate.Max:
                Batch<Aggregators.MaxAggregator>(rows, scores);
                break;
            default:
                Batch<Aggregators.SumAggregator>(rows, scores);
                break;
        }
    }

    /// <summary>
    /// Rewrites a branch as "left when <c>x &lt;= t'</c>" for every non-NaN float <c>x</c>; <paramref name="trueIsLeft"/>
    /// tells whether the true branch is the left one. A NaN threshold means "never left", +∞ "always left".
    /// </summary>
    public static float Normalize(NodeMode mode, double threshold, out bool trueIsLeft)
    {
        switch (mode)
        {
            case NodeMode.BranchLeq:
                trueIsLeft = true;
                return AtOrBelow(threshold);
            case NodeMode.BranchLt:
                trueIsLeft = true;
                return Below(threshold);
            case NodeMode.BranchGte:
                // x >= t  <=>  !(x < t): left is the false branch; nothing is >= NaN, so everything goes false (left).
                trueIsLeft = false;
                return double.IsNaN(threshold) ? float.PositiveInfinity : Below(threshold);
            case NodeMode.BranchGt:
                trueIsLeft = false;
                return double.IsNaN(threshold) ? float.PositiveInfinity : AtOrBelow(threshold);
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Equality branches have no '<=' form.");
        }
    }

    /// <summary>The largest float at or below <paramref name="d"/> (NaN stays NaN): <c>x &lt;= d</c> exactly when <c>x &lt;= result</c>.</summary>
    private static float AtOrBelow(double d)
    {
        if (double.IsNaN(d))
        {
            return float.NaN;
        }

        var f = (float)d;
        return f > d ? MathF.BitDecrement(f) : f;
    }

    /// <summary>The largest float strictly below <paramref name="d"/>, or NaN when there is none: <c>x &lt; d</c> exactly when <c>x &lt;= result</c>.</summary>
    private static float Below(double d)
    {
        var f = AtOrBelow(d);
        if (float.IsNaN(f) || f == d)
        {
            return float.IsNaN(f) || float.IsNegativeInfinity(f) ? float.NaN : MathF.BitDecrement(f);
        }

        return f;
    }

    private static void Lay(DecisionTree tree, List<FastNode> nodes, List<double> leaves)
    {
        // Breadth-first again, allocating each branch's two children side by side (left = the "<=" side).
        var root = nodes.Count;
        nodes.Add(default);
        leaves.Add(0);
        var queue = new Queue<(int Local, int Global)>();
        queue.Enqueue((0, root));
        while (queue.Count > 0)
        {
            var (local, global) = queue.Dequeue();
            if (tree.Modes[local] == NodeMode.Leaf)
            {
                nodes[global] = new FastNode { Feature = 0, Threshold = float.PositiveInfinity, Next = global };
                leaves[global] = tree.LeafValues[local];
                continue;
            }

            var threshold = Normalize(tree.Modes[local], tree.Thresholds[local], out var trueIsLeft);
            var left = nodes.Count;
            nodes.Add(default);
            nodes.Add(default);
            leaves.Add(0);
            leaves.Add(0);
            nodes[global] = new FastNode { Feature = tree.Features[local], Threshold = threshold, Next = left };
            queue.Enqueue((trueIsLeft ? tree.TrueChildren[local] : tree.FalseChildren[local], left));
            queue.Enqueue((trueIsLeft ? tree.FalseChildren[local] : tree.TrueChildren[local], left + 1));
        }
    }

    private double Aggregated<TAggregator>(ReadOnlySpan<float> x)
        where TAggregator : struct, IAggregator
    {
        if (_exactOnly || HasNaN(x))
        {
            return Exact<TAggregator>(x);
        }

        if (_quick is not null)
        {
            return _quick.Aggregate<TAggregator>(x);
        }

        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var leaves = ref MemoryMarshal.GetArrayDataReference(_leafValues);
        ref var input = ref MemoryMarshal.GetReference(x);
        var score = TAggregator.Seed;
        var trees = _roots.Length;
        var k = 0;
        for (; k + Group <= trees; k += Group)
        {
            int i0 = _roots[k], i1 = _roots[k + 1], i2 = _roots[k + 2], i3 = _roots[k + 3];
            int i4 = _roots[k + 4], i5 = _roots[k + 5], i6 = _roots[k + 6], i7 = _roots[k + 7];
            for (var d = _depths[k]; d > 0; d--)
            {
                i0 = Step(ref nodes, ref input, i0);
                i1 = Step(ref nodes, ref input, i1);
                i2 = Step(ref nodes, ref input, i2);
                i3 = Step(ref nodes, ref input, i3);
                i4 = Step(ref nodes, ref input, i4);
                i5 = Step(ref nodes, ref input, i5);
                i6 = Step(ref nodes, ref input, i6);
                i7 = Step(ref nodes, ref input, i7);
            }

            score = TAggregator.Add(score, Unsafe.Add(ref leaves, i0));
            score = TAggregator.Add(score, Unsafe.Add(ref leaves, i1));
            score = TAggregator.Add(score, Unsafe.Add(ref leaves, i2));
            score = TAggregator.Add(score, Unsafe.Add(ref leaves, i3));
            score = TAggregator.Add(score, Unsafe.Add(ref leaves, i4));
            score = TAggregator.Add(score, Unsafe.Add(ref leaves, i5));
            score = TAggregator.Add(score, Unsafe.Add(ref leaves, i6));
            score = TAggregator.Add(score, Unsafe.Add(ref leaves, i7));
        }

        for (; k < trees; k++)
        {
            var i = _roots[k];
            for (var d = _depths[k]; d > 0; d--)
            {
                i = Step(ref nodes, ref input, i);
            }

            score = TAggregator.Add(score, Unsafe.Add(ref leaves, i));
        }

        return score;
    }

    private void Batch<TAggregator>(ReadOnlySpan<float> rows, Span<float> scores)
        where TAggregator : struct, IAggregator
    {
        const int Chunk = 256;
        Span<double> accumulated = stackalloc double[Chunk];
        for (var start = 0; start < scores.Length; start += Chunk)
        {
            var count = Math.Min(Chunk, scores.Length - start);
            var chunk = rows.Slice(start * _width, count * _width);
            BatchChunk<TAggregator>(chunk, accumulated[..count]);
            for (var r = 0; r < count; r++)
            {
                scores[start + r] = _definition.Finish(accumulated[r]);
            }
        }
    }

    private void BatchChunk<TAggregator>(ReadOnlySpan<float> rows, Span<double> accumulated)
        where TAggregator : struct, IAggregator
    {
        var count = accumulated.Length;
        if (_quick is not null)
        {
            for (var r = 0; r < count; r++)
            {
                accumulated[r] = Aggregated<TAggregator>(rows.Slice(r * _width, _width));
            }

            return;
        }

        accumulated.Fill(TAggregator.Seed);

        // Rows with a NaN take the exact walk; the others walk eight at a time through each tree.
        Span<int> fast = stackalloc int[count];
        var fastCount = 0;
        for (var r = 0; r < count; r++)
        {
            var row = rows.Slice(r * _width, _width);
            if (_exactOnly || HasNaN(row))
            {
                accumulated[r] = Exact<TAggregator>(row);
            }
            else
            {
                fast[fastCount++] = r;
            }
        }

        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var leaves = ref MemoryMarshal.GetArrayDataReference(_leafValues);
        ref var input = ref MemoryMarshal.GetReference(rows);
        var width = _width;
        for (var k = 0; k < _roots.Length; k++)
        {
            var root = _roots[k];
            var depth = _depths[k];
            var j = 0;
            for (; j + Group <= fastCount; j += Group)
            {
                ref var r0 = ref Unsafe.Add(ref input, fast[j] * width);
                ref var r1 = ref Unsafe.Add(ref input, fast[j + 1] * width);
                ref var r2 = ref Unsafe.Add(ref input, fast[j + 2] * width);
                ref var r3 = ref Unsafe.Add(ref input, fast[j + 3] * width);
                ref var r4 = ref Unsafe.Add(ref input, fast[j + 4] * width);
                ref var r5 = ref Unsafe.Add(ref input, fast[j + 5] * width);
                ref var r6 = ref Unsafe.Add(ref input, fast[j + 6] * width);
                ref var r7 = ref Unsafe.Add(ref input, fast[j + 7] * width);
                int i0 = root, i1 = root, i2 = root, i3 = root, i4 = root, i5 = root, i6 = root, i7 = root;
                for (var d = depth; d > 0; d--)
                {
                    i0 = Step(ref nodes, ref r0, i0);
                    i1 = Step(ref nodes, ref r1, i1);
                    i2 = Step(ref nodes, ref r2, i2);
                    i3 = Step(ref nodes, ref r3, i3);
                    i4 = Step(ref nodes, ref r4, i4);
                    i5 = Step(ref nodes, ref r5, i5);
                    i6 = Step(ref nodes, ref r6, i6);
                    i7 = Step(ref nodes, ref r7, i7);
                }

                var row = fast[j];
                accumulated[row] = TAggregator.Add(accumulated[row], Unsafe.Add(ref leaves, i0));
                row = fast[j + 1];
                accumulated[row] = TAggregator.Add(accumulated[row], Unsafe.Add(ref leaves, i1));
                row = fast[j + 2];
                accumulated[row] = TAggregator.Add(accumulated[row], Unsafe.Add(ref leaves, i2));
                row = fast[j + 3];
                accumulated[row] = TAggregator.Add(accumulated[row], Unsafe.Add(ref leaves, i3));
                row = fast[j + 4];
                accumulated[row] = TAggregator.Add(accumulated[row], Unsafe.Add(ref leaves, i4));
                row = fast[j + 5];
                accumulated[row] = TAggregator.Add(accumulated[row], Unsafe.Add(ref leaves, i5));
                row = fast[j + 6];
                accumulated[row] = TAggregator.Add(accumulated[row], Unsafe.Add(ref leaves, i6));
                row = fast[j + 7];
                accumulated[row] = TAggregator.Add(accumulated[row], Unsafe.Add(ref leaves, i7));
            }

            for (; j < fastCount; j++)
            {
                ref var r0 = ref Unsafe.Add(ref input, fast[j] * width);
                var i = root;
                for (var d = depth; d > 0; d--)
                {
                    i = Step(ref nodes, ref r0, i);
                }

                var row = fast[j];
                accumulated[row] = TAggregator.Add(accumulated[row], Unsafe.Add(ref leaves, i));
            }
        }
    }

    /// <summary>The exact walk, trees in the layout's order (the same order as the fast path adds them).</summary>
    private double Exact<TAggregator>(ReadOnlySpan<float> x)
        where TAggregator : struct, IAggregator
    {
        var score = TAggregator.Seed;
        var trees = _definition.Trees;
        foreach (var t in _order)
        {
            score = TAggregator.Add(score, trees[t].Evaluate(x));
        }

        return score;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Step(ref FastNode nodes, ref float input, int i)
    {
        ref var node = ref Unsafe.Add(ref nodes, i);
        return node.Next + (Unsafe.Add(ref input, node.Feature) <= node.Threshold ? 0 : 1);
    }

    private static bool HasNaN(ReadOnlySpan<float> x)
    {
        var nan = false;
        foreach (var v in x)
        {
            nan |= float.IsNaN(v);
        }

        return nan;
    }
}
