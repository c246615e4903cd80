using System.Globalization;
using QualityPrediction.Models;
using QualityPrediction.Training;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Export;
using QualityPrediction.Training.Trainers;

namespace QualityPrediction.Benchmarks;

/// <summary>
/// The benchmark model: FastTree, 100 trees, trained on the white-wine data with the Training library and exported
/// as NAME.zip + NAME.onnx + NAME.model.json into a cache folder (trained once, reused by every benchmark and child process).
/// </summary>
public static class Fixture
{
    public const string ModelName = "wine";
    private const string CacheVersion = "v1";
    private static readonly Lock Gate = new();
    private static Fixture.Data? _data;

    public static string RepositoryRoot { get; } = FindRoot();

    public static string Folder { get; } = Environment.GetEnvironmentVariable("QP_BENCH_FIXTURE")
        ?? Path.Combine(Path.GetTempPath(), "qp-bench", CacheVersion);

    public static string ManifestPath => Path.Combine(Folder, ModelName + ModelManifest.FileSuffix);

    public static string OnnxPath => Path.Combine(Folder, ModelName + ".onnx");

    public static string ZipPath => Path.Combine(Folder, ModelName + ".zip");

    public static string WinePath => Path.Combine(RepositoryRoot, "data", "winequality-white.csv");

    /// <summary>Trains the model unless the cache folder already holds it; returns the training time (zero when cached).</summary>
    public static TimeSpan EnsureModel(TextWriter? log = null)
    {
        lock (Gate)
        {
            if (File.Exists(ManifestPath) && File.Exists(OnnxPath) && File.Exists(ZipPath))
            {
                return TimeSpan.Zero;
            }

            log?.WriteLine($"Training the fixture (FastTree, 100 trees, white wine) into {Folder} ...");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var data = DataReader.Read([WinePath], new DataReadOptions { Target = "quality" });
            var options = new TrainingOptions
            {
                Name = ModelName,
                Configurations = [new TrainerConfig("fasttree-100t", TrainerKind.FastTree, new Dictionary<string, double> { ["trees"] = 100 })],
                Folds = 2,
                InnerFolds = 2,
                CompareHeuristic = false,
            };
            var result = ModelTrainer.Train(data, options);
            var staging = Folder + ".staging-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            ModelExporter.Export(result, staging, "0001", data.Contexts);
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Folder)!);
            Directory.Move(staging, Folder);
            log?.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s (CV MAE {result.CrossValidation.Mae:F3}).");
            return clock.Elapsed;
        }
    }

    /// <summary>Gets the wine rows as contexts and as encoded vectors (the same encoder the predictors use).</summary>
    public static Data Load()
    {
        lock (Gate)
        {
            if (_data is not null)
            {
                return _data;
            }

            EnsureModel();
            var manifest = ModelManifest.Load(ManifestPath);
            var encoder = FeatureEncoder.Create(manifest);
            var rows = DataReader.Read([WinePath], new DataReadOptions { Target = "quality" });
            var contexts = rows.Contexts.ToArray();
            var vectors = new float[contexts.Length][];
            for (var i = 0; i < contexts.Length; i++)
            {
                vectors[i] = new float[encoder.Length];
                encoder.Encode(contexts[i], vectors[i]);
            }

            var onnxArtifact = manifest.FindArtifact("onnx")!;
            _data = new Data(manifest, encoder.Length, contexts, vectors, string.IsNullOrWhiteSpace(onnxArtifact.OutputName) ? "Score.output" : onnxArtifact.OutputName!);
            return _data;
        }
    }

    /// <summary>Outcome-like contexts (provider → model, action type) and targets for the fitted heuristic.</summary>
    public static (PredictionContext[] Contexts, double[] Targets) Outcomes(int count, int seed)
    {
        string[] providers = ["openai", "anthropic", "google", "mistral"];
        string[] actions = ["summary", "code", "answer", "translation", "story"];
        var random = new Random(seed);
        var contexts = new PredictionContext[count];
        var targets = new double[count];
        for (var i = 0; i < count; i++)
        {
            var p = random.Next(providers.Length);
            var m = random.Next(3);
            var a = random.Next(actions.Length);
            contexts[i] = new PredictionContext()
                .WithProvider(providers[p])
                .WithModel(providers[p] + "-m" + m.ToString(CultureInfo.InvariantCulture))
                .WithActionType(actions[a]);
            targets[i] = Math.Clamp(60 + (p * 5) + (m * 3) - (a * 2) + ((random.NextDouble() - 0.5) * 20), 0, 100);
        }

        return (contexts, targets);
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

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QualityPrediction.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (QualityPrediction.sln) above " + AppContext.BaseDirectory);
    }

    public sealed record Data(ModelManifest Manifest, int Width, PredictionContext[] Contexts, float[][] Vectors, string OnnxOutputName);
}
