using QualityPrediction.Training.Data;

namespace QualityPrediction.Training.Tests;

/// <summary>Small generated data sets.</summary>
internal static class TestData
{
    /// <summary>y = 3 + 2·a − b + small noise, with a categorical feature that shifts it.</summary>
    public static TrainingData Regression(int rows, int seed = 7, double noise = 0.1)
    {
        var random = new Random(seed);
        var contexts = new List<PredictionContext>();
        var targets = new List<double>();
        var locations = new List<string>();
        string[] kinds = ["red", "white", "rose"];
        for (var i = 0; i < rows; i++)
        {
            var a = random.NextDouble() * 4;
            var b = random.NextDouble() * 2;
            var kind = kinds[i % 3];
            contexts.Add(new PredictionContext { ["a"] = a, ["b"] = b, ["kind"] = kind });
            targets.Add(3 + (2 * a) - b + (kind == "red" ? 1 : 0) + ((random.NextDouble() - 0.5) * 2 * noise));
            locations.Add($"gen:{i + 2}");
        }

        return new TrainingData("y", contexts, targets, locations, [new DataColumn("a", FeatureKind.Numeric), new DataColumn("b", FeatureKind.Numeric), new DataColumn("kind", FeatureKind.Categorical)])
        {
            Sources = ["generated"],
            Sha256 = "generated",
        };
    }
}
