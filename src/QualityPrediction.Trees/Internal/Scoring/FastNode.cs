using System.Runtime.InteropServices;

namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>
/// One node of the fast layout (12 bytes): go to <see cref="Next"/> when <c>x[Feature] &lt;= Threshold</c>, else to
/// <c>Next + 1</c>. A leaf points to itself with an infinite threshold, so a walk of fixed length stays on it.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct FastNode
{
    public int Feature;
    public float Threshold;
    public int Next;
}
