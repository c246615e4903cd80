using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>
/// QuickScorer's masks precomputed per feature value interval: for feature <c>f</c> with distinct thresholds
/// <c>u1 &lt; … &lt; ud</c>, row <c>b</c> holds, for every tree, the AND of the masks of its branches on <c>f</c> with
/// a threshold up to <c>ub</c> (the branches a value in <c>(ub, ub+1]</c> fails). A row's bit vectors are then one
/// vectorised AND of a table row per feature, instead of one AND per failing branch. Built only while the table stays
/// within <see cref="MaxBytes"/> (wine's 100-tree model: about 1 MB); larger ensembles use the plain scan.
/// </summary>
internal sealed class BinTable
{
    /// <summary>The largest table built, in bytes.</summary>
    public const long MaxBytes = 4L * 1024 * 1024;

    private readonly int _width;
    private readonly int _trees;
    private readonly int[] _distinctStart;
    private readonly float[] _distinct;
    private readonly int[] _rowStart;
    private readonly ulong[] _rows;

    private BinTable(int width, int trees, int[] distinctStart, float[] distinct, int[] rowStart, ulong[] rows)
    {
        _width = width;
        _trees = trees;
        _distinctStart = distinctStart;
        _distinct = distinct;
        _rowStart = rowStart;
        _rows = rows;
    }

    /// <summary>Builds the table from QuickScorer's per-feature sorted branches, or returns <see langword="null"/> when it would exceed <see cref="MaxBytes"/>.</summary>
    public static BinTable? TryCreate(int width, int[] featureStart, float[] thresholds, int[] treeOf, ulong[] masks, int trees)
    {
        var distinctStart = new int[width + 1];
        var distinct = new List<float>();
        for (var f = 0; f < width; f++)
        {
            distinctStart[f] = distinct.Count;
            for (var k = featureStart[f]; k < featureStart[f + 1]; k++)
            {
                if (k == featureStart[f] || thresholds[k] != thresholds[k - 1])
                {
                    distinct.Add(thresholds[k]);
                }
            }
        }

        distinctStart[width] = distinct.Count;

        // Row 0 of every feature (no branch failed) is all ones and never applied, so only rows 1..d are stored.
        var bytes = (long)distinct.Count * trees * sizeof(ulong);
        if (bytes > MaxBytes || trees == 0)
        {
            return null;
        }

        var rows = new ulong[distinct.Count * trees];
        var rowStart = new int[width];
        for (var f = 0; f < width; f++)
        {
            rowStart[f] = distinctStart[f] * trees;
            var current = new ulong[trees];
            Array.Fill(current, ulong.MaxValue);
            var k = featureStart[f];
            for (var b = 0; b < distinctStart[f + 1] - distinctStart[f]; b++)
            {
                var u = distinct[distinctStart[f] + b];
                for (; k < featureStart[f + 1] && thresholds[k] == u; k++)
                {
                    current[treeOf[k]] &= masks[k];
                }

                current.CopyTo(rows, rowStart[f] + (b * trees));
            }
        }

        return new BinTable(width, trees, distinctStart, [.. distinct], rowStart, rows);
    }

    /// <summary>ANDs into <paramref name="bits"/> (one word per tree) the table row of each feature's value.</summary>
    public void Apply(ReadOnlySpan<float> x, Span<ulong> bits)
    {
        ref var distinct = ref MemoryMarshal.GetArrayDataReference(_distinct);
        ref var rows = ref MemoryMarshal.GetArrayDataReference(_rows);
        ref var target = ref MemoryMarshal.GetReference(bits);
        ref var input = ref MemoryMarshal.GetReference(x);
        for (var f = 0; f < _width; f++)
        {
            var first = _distinctStart[f];
            var failed = QuickScorer.FailingEnd(ref distinct, first, _distinctStart[f + 1], Unsafe.Add(ref input, f)) - first;
            if (failed == 0)
            {
                continue;
            }

            ref var row = ref Unsafe.Add(ref rows, _rowStart[f] + ((failed - 1) * _trees));
            var t = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; t + Vector256<ulong>.Count <= _trees; t += Vector256<ulong>.Count)
                {
                    (Vector256.LoadUnsafe(ref target, (nuint)t) & Vector256.LoadUnsafe(ref row, (nuint)t)).StoreUnsafe(ref target, (nuint)t);
                }
            }

            for (; t < _trees; t++)
            {
                Unsafe.Add(ref target, t) &= Unsafe.Add(ref row, t);
            }
        }
    }
}
