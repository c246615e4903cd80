using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using QualityPrediction.Models;
using QualityPrediction.Training;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Export;
using QualityPrediction.Training.Featurization;
using QualityPrediction.Training.Trainers;

namespace QualityPrediction.Trees.Tests.TestSupport;

/// <summary>
/// Artifact sets made the way <c>quality train</c> makes them (<see cref="ModelTrainer.Train"/> with one configuration,
/// then <see cref="ModelExporter.Export"/>), each trained at its first use and shared by the whole run.
/// </summary>
internal static class TrainedArtifacts
{
    private static readonly ConcurrentDictionary<string, Lazy<Artifact>> Cache = new(StringComparer.Ordinal);

    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "trees-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>FastTree, 100 trees, 20 leaves, white wine (the benchmark's model).</summary>
    public static Artifact WineFastTree => Get("wine-fasttree", () => Train("wine-fasttree", Wine("white"), new TrainerConfig("fasttree-100t", TrainerKind.FastTree, new Dictionary<string, double> { ["trees"] = 100 })));

    /// <summary>LightGbm, 1,200 iterations of 15 leaves, red wine (a 1,000+ tree model).</summary>
    public static Artifact WineLightGbm1200 => Get("wine-lightgbm-1200", () => Train("wine-lightgbm-1200", Wine("red"), new TrainerConfig("lightgbm-15l-1200i", TrainerKind.LightGbm, new Dictionary<string, double> { ["iterations"] = 1200, ["leaves"] = 15, ["learningRate"] = 0.03, ["minLeafRows"] = 30 })));

    /// <summary>FastForest, 100 trees, red wine.</summary>
    public static Artifact WineFastForest => Get("wine-fastforest", () => Train("wine-fastforest", Wine("red"), new TrainerConfig("fastforest-100t", TrainerKind.FastForest, new Dictionary<string, double> { ["trees"] = 100, ["leaves"] = 31 })));

    /// <summary>Sdca (normalizer + linear model): a graph the tree runtime must refuse.</summary>
    public static Artifact WineSdca => Get("wine-sdca", () => Train("wine-sdca", Wine("red"), new TrainerConfig("sdca", TrainerKind.Sdca, new Dictionary<string, double> { ["l2"] = 1e-4, ["iterations"] = 50 })));

    /// <summary>LightGbm on generated data with categorical columns (one-hot slots, rare and unknown categories) and a crossed pair, 0–100 target.</summary>
    public static Artifact Categorical => Get("categorical-lightgbm", () => Train(
        "categorical-lightgbm",
        CategoricalData(),
        new TrainerConfig("lightgbm-15l-400i", TrainerKind.LightGbm, new Dictionary<string, double> { ["iterations"] = 400, ["leaves"] = 15, ["learningRate"] = 0.05, ["minLeafRows"] = 20 }),
        new FeaturizerOptions { MinCategoryRows = 30, Crosses = [("provider", "model")] }));

    public static void Cleanup()
    {
        try
        {
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static Artifact Get(string name, Func<Artifact> train) => Cache.GetOrAdd(name, _ => new Lazy<Artifact>(train)).Value;

    private static Artifact Train(string name, TrainingData data, TrainerConfig config, FeaturizerOptions? featurizer = null)
    {
        var options = new TrainingOptions
        {
            Name = name,
            Configurations = [config],
            Folds = 2,
            InnerFolds = 2,
            CompareHeuristic = false,
            Featurizer = featurizer ?? new FeaturizerOptions(),
        };
        var result = ModelTrainer.Train(data, options);
        var folder = Path.Combine(Root, name);
        var manifest = ModelExporter.Export(result, folder, "0001", data.Contexts);
        return new Artifact(name, folder, manifest, data);
    }

    private static TrainingData Wine(string color) =>
        DataReader.Read([Path.Combine(RepositoryRoot, "data", $"winequality-{color}.csv")], new DataReadOptions { Target = "quality" });

    private static TrainingData CategoricalData()
    {
        string[] providers = ["openai", "anthropic", "google", "mistral", "cohere", "rare-a", "rare-b"];
        string[] models = ["small", "medium", "large"];
        var random = new Random(17);
        var csv = new StringBuilder("provider,model,statValue,promptTokens,quality\n");
        for (var i = 0; i < 3000; i++)
        {
            var p = random.NextDouble() < 0.03 ? 5 + random.Next(2) : random.Next(5);
            var m = random.Next(3);
            var stat = random.Next(1, 21);
            var tokens = random.Next(100, 4000);
            var score = 55 + (p switch { 0 => 8, 1 => 12, 2 => 3, 3 => -5, 4 => -2, _ => -10 }) + (m * 6) - 6 + stat - 10 - (tokens / 200.0) + (p == 1 && m == 2 ? 7 : 0) + ((random.NextDouble() - 0.5) * 8);
            var providerText = random.NextDouble() < 0.04 ? "" : providers[p];
            var statText = random.NextDouble() < 0.05 ? "" : stat.ToString(CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"{providerText},{models[m]},{statText},{tokens},{Math.Clamp(score, 0, 100):F2}\n");
        }

        Directory.CreateDirectory(Root);
        var path = Path.Combine(Root, "categorical.csv");
        File.WriteAllText(path, csv.ToString());
        return DataReader.Read([path], new DataReadOptions { Target = "quality", Categorical = ["provider", "model"] });
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QualityPrediction.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (QualityPrediction.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>One exported artifact set and the rows it was trained on.</summary>
    public sealed record Artifact(string Name, string Folder, ModelManifest Manifest, TrainingData Data)
    {
        public string ManifestPath => Path.Combine(Folder, Name + ModelManifest.FileSuffix);

        public string OnnxPath => Path.Combine(Folder, Name + ".onnx");

        public ArtifactInfo OnnxArtifact => Manifest.FindArtifact("onnx")!;

        public byte[] OnnxBytes => File.ReadAllBytes(OnnxPath);

        public FeatureEncoder Encoder => FeatureEncoder.Create(Manifest);
    }
}
