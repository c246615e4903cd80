using QualityPrediction.Models;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Training.Tests.Registry;

/// <summary>Versions with a stand-in manifest and out-of-fold predictions whose errors the test chooses.</summary>
internal static class RegistryFixture
{
    /// <summary>Adds a version whose absolute error on each of <paramref name="rows"/> rows is <paramref name="error"/> (± a little, so the bootstrap has spread).</summary>
    public static string AddVersion(string registry, string name, double error, int rows = 60)
    {
        return ModelRegistry.AddVersion(registry, name, (dir, version) =>
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, name + ModelManifest.FileSuffix), version);
            File.WriteAllText(Path.Combine(dir, name + ".zip"), "artifact");
            var predictions = new StoredPredictions();
            for (var i = 0; i < rows; i++)
            {
                predictions.RowKeys.Add($"row{i}");
                predictions.Actual.Add(10);
                predictions.Predicted.Add(10 + error + ((i % 3) - 1) * 0.01);
            }

            ModelRegistry.WritePredictions(dir, predictions);
        });
    }
}
