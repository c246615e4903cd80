using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>
/// QuickScorer (Lucchese et al., SIGIR 2015) for ensembles whose trees have at most 64 leaves and only order branches.
/// Each tree's leaves are numbered left to right (left = the "<c>x &lt;= t</c>" side of the layout of
/// <see cref="FastEnsemble.Normalize"/>), one bit each. A branch whose test fails for a row removes the leaves of its left
/// subtree from its tree's bit vector; the row's leaf in every tree is then the lowest bit left. The branches are stored
/// per feature, sorted by threshold, so the failing ones for a value <c>x</c> are exactly a prefix (thresholds below
/// <c>x</c>): the scan touches only those, with no per-node branch to mispredict, and never follows a pointer.
/// Leaf values are added in double in the file's tree order (for <c>SUM</c>/<c>AVERAGE</c>: into four partial sums, tree
/// <c>t</c> into sum <c>t mod 4</c>, added together at the end). Immutable; rows are scored with stack scratch only.
/// </summary>
internal sealed class QuickScorer
{
    /// <summary>The most trees scored with a bit-vector scratch on the stack (8 bytes a tree); more use a pooled array.</summary>
    private const int StackTrees = 4096;

    private readonly int _width;
    private readonly int[] _featureStart;
    private readonly float[] _thresholds;
    private readonly int[] _trees;
    private readonly ulong[] _masks;
    private readonly ulong[] _initial;
    private readonly int[] _leafOffsets;
    private readonly double[] _leafValues;
    private readonly BinTable? _bins;

    private QuickScorer(int width, int[] featureStart, float[] thresholds, int[] trees, ulong[] masks, ulong[] initial, int[] leafOffsets, double[] leafValues)
    {
        _bins = BinTable.TryCreate(width, featureStart, thresholds, trees, masks, initial.Length);
        _width = width;
        _featureStart = featureStart;
        _thresholds = thresholds;
        _trees = trees;
        _masks = masks;
        _initial = initial;
        _leafOffsets = leafOffsets;
        _leafValues = leafValues;
    }

    /// <summary>Builds the scorer, or returns <see langword="null"/> when a tree has more than 64 leaves or an equality branch.</summary>
    public static QuickScorer? TryCreate(TreeEnsembleDefinition definition)
    {
        var width = definition.InputWidth;
        if (width == 0 || definition.HasEqualityNodes)
        {
            return null;
        }

        var trees = definition.Trees;
        var entries = new List<(int Feature, float Threshold, int Tree, ulong Mask)>();
        var initial = new ulong[trees.Length];
        var leafOffsets = new int[trees.Length];
        var leafValues = new List<double>();
        for (var t = 0; t < trees.Length; t++)
        {
            var tree = trees[t];
            if (tree.Modes.Count(m => m == NodeMode.Leaf) > 64)
            {
                return null;
            }

            leafOffsets[t] = leafValues.Count;
            var all = ulong.MaxValue;

            // Depth-first, left ("<=" side) first: leaves get consecutive indices, and a subtree covers a contiguous range.
            var next = 0;
            int Visit(int node)
            {
                var first = next;
                if (tree.Modes[node] == NodeMode.Leaf)
                {
                    leafValues.Add(tree.LeafValues[node]);
                    next++;
                    return first;
                }

                var threshold = FastEnsemble.Normalize(tree.Modes[node], tree.Thresholds[node], out var trueIsLeft);
                var left = trueIsLeft ? tree.TrueChildren[node] : tree.FalseChildren[node];
                var right = trueIsLeft ? tree.FalseChildren[node] : tree.TrueChildren[node];
                Visit(left);
                var middle = next;
                Visit(right);

                // Failing the test removes the left subtree's leaves [first, middle).
                var leftBits = (middle - first == 64 ? ulong.MaxValue : ((1UL << (middle - first)) - 1)) << first;
                var mask = ~leftBits;
                if (float.IsNaN(threshold))
                {
                    // "Never left": the test fails for every row without NaN.
                    all &= mask;
                }
                else if (!float.IsPositiveInfinity(threshold))
                {
                    entries.Add((tree.Features[node], threshold, t, mask));
                }

                return first;
            }

            Visit(0);
            initial[t] = all;
        }

        entries.Sort(static (a, b) => a.Feature != b.Feature ? a.Feature.CompareTo(b.Feature) : a.Threshold.CompareTo(b.Threshold));
        var featureStart = new int[width + 1];
        foreach (var e in entries)
        {
            featureStart[e.Feature + 1]++;
        }

        for (var f = 0; f < width; f++)
        {
            featureStart[f + 1] += featureStart[f];
        }

        return new QuickScorer(
            width,
            featureStart,
            [.. entries.Select(e => e.Threshold)],
            [.. entries.Select(e => e.Tree)],
            [.. entries.Select(e => e.Mask)],
            initial,
            leafOffsets,
            [.. leafValues]);
    }

    /// <summary>
    /// The end of the prefix of <c>thresholds[k..end)</c> (sorted ascending) that is below <paramref name="value"/>:
    /// the branches a row with this value fails. Compares a vector of thresholds at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int FailingEnd(ref float thresholds, int k, int end, float value)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var broadcast = Vector256.Create(value);
            while (k + Vector256<float>.Count <= end)
            {
                var below = Vector256.LessThan(Vector256.LoadUnsafe(ref thresholds, (nuint)k), broadcast).ExtractMostSignificantBits();
                if (below != 0xFF)
                {
                    // Sorted: the lanes below the value are a prefix of the vector.
                    return k + BitOperations.TrailingZeroCount(~below);
                }

                k += Vector256<float>.Count;
            }
        }

        while (k < end && Unsafe.Add(ref thresholds, k) < value)
        {
            k++;
        }

        return k;
    }

    /// <summary>Gets the number of branches stored (those a row can fail).</summary>
    public int Branches => _thresholds.Length;

    /// <summary>Aggregates the leaf values of one row without NaN (checked by the caller).</summary>
    public double Aggregate<TAggregator>(ReadOnlySpan<float> x)
        where TAggregator : struct, IAggregator
    {
        var trees = _initial.Length;
        ulong[]? rented = null;
        var bits = trees <= StackTrees ? stackalloc ulong[trees] : (rented = System.Buffers.ArrayPool<ulong>.Shared.Rent(trees)).AsSpan(0, trees);
        try
        {
            _initial.CopyTo(bits);
            ref var vectors = ref MemoryMarshal.GetReference(bits);
            if (_bins is not null)
            {
                _bins.Apply(x, bits);
            }
            else
            {
                Scan(x, ref vectors);
            }

            return Exit<TAggregator>(ref vectors, trees);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<ulong>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Gets whether the per-feature bin table is used (see <see cref="BinTable"/>).</summary>
    public bool UsesBinTable => _bins is not null;

    /// <summary>Clears, in each tree's bit vector, the leaves of every branch the row fails: the failing branches of a feature are the prefix of its sorted thresholds below the value.</summary>
    private void Scan(ReadOnlySpan<float> x, ref ulong vectors)
    {
        ref var thresholds = ref MemoryMarshal.GetArrayDataReference(_thresholds);
        ref var treeOf = ref MemoryMarshal.GetArrayDataReference(_trees);
        ref var masks = ref MemoryMarshal.GetArrayDataReference(_masks);
        ref var start = ref MemoryMarshal.GetArrayDataReference(_featureStart);
        ref var input = ref MemoryMarshal.GetReference(x);
        for (var f = 0; f < _width; f++)
        {
            var value = Unsafe.Add(ref input, f);
            var k = Unsafe.Add(ref start, f);
            var end = FailingEnd(ref thresholds, k, Unsafe.Add(ref start, f + 1), value);
            for (; k < end; k++)
            {
                Unsafe.Add(ref vectors, Unsafe.Add(ref treeOf, k)) &= Unsafe.Add(ref masks, k);
            }
        }

    }

    /// <summary>Adds up (or takes the minimum or maximum of) the value of each tree's lowest remaining leaf.</summary>
    private double Exit<TAggregator>(ref ulong vectors, int trees)
        where TAggregator : struct, IAggregator
    {
        ref var leaves = ref MemoryMarshal.GetArrayDataReference(_leafValues);
        ref var offsets = ref MemoryMarshal.GetArrayDataReference(_leafOffsets);
        if (typeof(TAggregator) == typeof(Aggregators.SumAggregator))
        {
            // Four partial sums (trees 0, 4, 8, … in the first; 1, 5, 9, … in the second; …), added at the end in
            // that order: four independent chains of additions instead of one.
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            var t = 0;
            for (; t + 4 <= trees; t += 4)
            {
                s0 += Unsafe.Add(ref leaves, Unsafe.Add(ref offsets, t) + BitOperations.TrailingZeroCount(Unsafe.Add(ref vectors, t)));
                s1 += Unsafe.Add(ref leaves, Unsafe.Add(ref offsets, t + 1) + BitOperations.TrailingZeroCount(Unsafe.Add(ref vectors, t + 1)));
                s2 += Unsafe.Add(ref leaves, Unsafe.Add(ref offsets, t + 2) + BitOperations.TrailingZeroCount(Unsafe.Add(ref vectors, t + 2)));
                s3 += Unsafe.Add(ref leaves, Unsafe.Add(ref offsets, t + 3) + BitOperations.TrailingZeroCount(Unsafe.Add(ref vectors, t + 3)));
            }

            for (; t < trees; t++)
            {
                s0 += Unsafe.Add(ref leaves, Unsafe.Add(ref offsets, t) + BitOperations.TrailingZeroCount(Unsafe.Add(ref vectors, t)));
            }

            return ((s0 + s1) + s2) + s3;
        }

        var score = TAggregator.Seed;
        for (var t = 0; t < trees; t++)
        {
            var leaf = BitOperations.TrailingZeroCount(Unsafe.Add(ref vectors, t));
            score = TAggregator.Add(score, Unsafe.Add(ref leaves, Unsafe.Add(ref offsets, t) + leaf));
        }

        return score;
    }
}
