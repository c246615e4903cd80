namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>The transform applied to the aggregated score (<c>post_transform</c>): none, or the logistic function.</summary>
internal enum PostTransform : byte
{
    None,
    Logistic,
}
