using System.Security.Cryptography;
using QualityPrediction.Models;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.TestSupport;

/// <summary>
/// Fixture models trained once per run into a temporary folder: three versions of an all-numeric model whose scores
/// differ clearly (so a result's score tells which version produced it) and one categorical model.
/// </summary>
internal static class Fixtures
{
    private static TrainedModel[]? _versions;
    private static TrainedModel? _categorical;

    public static string Root { get; private set; } = "";

    /// <summary>Gets versions 0001, 0002 and 0003 of the model "numeric" (4 numeric features; labels shifted by 0, +15, -15).</summary>
    public static IReadOnlyList<TrainedModel> Versions => _versions ?? throw new InvalidOperationException("Fixtures not trained.");

    public static TrainedModel Numeric => Versions[0];

    /// <summary>Gets a model with categorical features (rare and unknown slots), a crossed pair and two numeric features.</summary>
    public static TrainedModel Categorical => _categorical ?? throw new InvalidOperationException("Fixtures not trained.");

    public static void Train()
    {
        Root = Path.Combine(Path.GetTempPath(), "qp-reliability-" + Guid.NewGuid().ToString("N"));
        _versions =
        [
            TrainedModel.Train(Path.Combine(Root, "v1"), "numeric", "0001", FixtureData.NumericFeatures(), FixtureData.GenerateNumeric, FixtureData.NumericLabel, trees: 20, seed: 1),
            TrainedModel.Train(Path.Combine(Root, "v2"), "numeric", "0002", FixtureData.NumericFeatures(), FixtureData.GenerateNumeric, c => FixtureData.NumericLabel(c) + 15, trees: 20, seed: 2),
            TrainedModel.Train(Path.Combine(Root, "v3"), "numeric", "0003", FixtureData.NumericFeatures(), FixtureData.GenerateNumeric, c => FixtureData.NumericLabel(c) - 15, trees: 20, seed: 3),
        ];
        _categorical = TrainedModel.Train(Path.Combine(Root, "categorical"), "categorical", "0001", FixtureData.CategoricalFeatures(), FixtureData.GenerateCategorical, FixtureData.CategoricalLabel, trees: 20, seed: 4);
    }

    public static void Cleanup()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>Creates a fresh empty folder under the fixture root.</summary>
    public static string NewFolder(string name)
    {
        var path = Path.Combine(Root, "t-" + name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Rewrites a manifest file after changing it.</summary>
    public static void EditManifest(string manifestPath, Action<ModelManifest> edit)
    {
        var manifest = ModelManifest.Load(manifestPath);
        edit(manifest);
        manifest.Save(manifestPath);
    }

    /// <summary>Makes the manifest's entry for <paramref name="format"/> describe the file as it is now (size and SHA-256).</summary>
    public static void Rehash(string manifestPath, string format, string file) => EditManifest(manifestPath, m =>
    {
        var artifact = m.FindArtifact(format)!;
        artifact.Bytes = new FileInfo(file).Length;
        artifact.Sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
    });
}
