namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>Combines leaf values (a struct per aggregate, so that the scoring loops are specialised without a branch).</summary>
internal interface IAggregator
{
    static abstract double Seed { get; }

    static abstract double Add(double accumulated, double value);
}
