using QualityPrediction.Models;

namespace QualityPrediction.Tests.Monitoring;

internal static class MonitorTestData
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static QualityPredictionResult Result(double score, PredictionSource source = PredictionSource.Model, string? version = "0001", IReadOnlyList<EnsembleMemberResult>? members = null, string name = "quality") => new()
    {
        Score = score,
        Confidence = 0.8,
        Source = source,
        ModelName = name,
        ModelVersion = version,
        PredictionId = Guid.NewGuid(),
        Timestamp = Start,
        Members = members ?? [],
    };

    public static PredictionContext Context(double statValue = 10, string provider = "openai") =>
        new PredictionContext().WithProvider(provider).WithStat("strength", statValue);

    /// <summary>A manifest with a numeric feature binned at 10 and 20 (training shares 0.25/0.25/0.5) and a categorical one (a: 0.5, b: 0.5).</summary>
    public static ModelManifest Manifest(string version = "0001", double tolerance = 5) => new()
    {
        Name = "quality",
        Version = version,
        Target = new TargetInfo { Name = "quality", Min = 0, Max = 100, Tolerance = tolerance },
        Features =
        [
            new FeatureSpec
            {
                Name = WellKnownFeatures.StatValue,
                Kind = FeatureEncoding.Numeric,
                Impute = 15,
                Statistics = new FeatureStatistics { BinEdges = [10, 20], BinShares = [0.25, 0.25, 0.5] },
            },
            new FeatureSpec
            {
                Name = WellKnownFeatures.Provider,
                Kind = FeatureEncoding.Categorical,
                Categories = ["a", "b"],
                Statistics = new FeatureStatistics { CategoryShares = new Dictionary<string, double> { ["a"] = 0.5, ["b"] = 0.5 } },
            },
        ],
    };
}
