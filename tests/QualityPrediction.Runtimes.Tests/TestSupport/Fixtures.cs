using QualityPrediction.Models;

namespace QualityPrediction.Runtimes.Tests.TestSupport;

/// <summary>The shared fixture models, trained once per test run (<see cref="RuntimesSetUp"/>) into a temporary folder deleted at the end.</summary>
internal static class Fixtures
{
    private static TrainedModel? _numeric;
    private static TrainedModel? _numericV2;
    private static TrainedModel? _categorical;

    public static string Root { get; private set; } = "";

    /// <summary>Gets an all-numeric model (four features), version 0001.</summary>
    public static TrainedModel Numeric => _numeric ?? throw new InvalidOperationException("Fixtures not trained.");

    /// <summary>Gets a second version (0002) of the numeric model, with different scores.</summary>
    public static TrainedModel NumericV2 => _numericV2 ?? throw new InvalidOperationException("Fixtures not trained.");

    /// <summary>Gets a model with categorical features (rare and unknown slots) and a crossed pair.</summary>
    public static TrainedModel Categorical => _categorical ?? throw new InvalidOperationException("Fixtures not trained.");

    public static void Train()
    {
        Root = Path.Combine(Path.GetTempPath(), "qp-runtimes-" + Guid.NewGuid().ToString("N"));
        _numeric = TrainedModel.Train(Path.Combine(Root, "numeric-v1"), "numeric", "0001", FixtureData.NumericFeatures(), FixtureData.GenerateNumeric, FixtureData.NumericLabel, trees: 30, seed: 1);
        _numericV2 = TrainedModel.Train(Path.Combine(Root, "numeric-v2"), "numeric", "0002", FixtureData.NumericFeatures(), FixtureData.GenerateNumeric, c => FixtureData.NumericLabel(c) + 12, trees: 40, seed: 2);
        _categorical = TrainedModel.Train(Path.Combine(Root, "categorical"), "categorical", "0001", FixtureData.CategoricalFeatures(), FixtureData.GenerateCategorical, FixtureData.CategoricalLabel, trees: 40, seed: 3);
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
}
