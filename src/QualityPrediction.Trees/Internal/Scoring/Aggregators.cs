namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>The aggregators: a sum (for SUM and AVERAGE), a minimum and a maximum.</summary>
internal static class Aggregators
{
    public readonly struct SumAggregator : IAggregator
    {
        public static double Seed => 0;

        public static double Add(double accumulated, double value) => accumulated + value;
    }

    public readonly struct MinAggregator : IAggregator
    {
        public static double Seed => double.PositiveInfinity;

        public static double Add(double accumulated, double value) => Math.Min(accumulated, value);
    }

    public readonly struct MaxAggregator : IAggregator
    {
        public static double Seed => double.NegativeInfinity;

        public static double Add(double accumulated, double value) => Math.Max(accumulated, value);
    }
}
