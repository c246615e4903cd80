namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>How the trees' leaf values combine (<c>aggregate_function</c>).</summary>
internal enum Aggregate : byte
{
    Sum,
    Average,
    Min,
    Max,
}
