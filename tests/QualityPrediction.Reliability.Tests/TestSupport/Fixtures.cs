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
            TrainedModel.Train(Path.Combine(Root, "v1"), "numeric", "0001", NumericFeatures(), GenerateNumeric, c => NumericLabel(c), trees: 20, seed: 1),
            TrainedModel.Train(Path.Combine(Root, "v2"), "numeric", "0002", NumericFeatures(), GenerateNumeric, c => NumericLabel(c) + 15, trees: 20, seed: 2),
            TrainedModel.Train(Path.Combine(Root, "v3"), "numeric", "0003", NumericFeatures(), GenerateNumeric, c => NumericLabel(c) - 15, trees: 20, seed: 3),
        ];
        _categorical = TrainedModel.Train(Path.Combine(Root, "categorical"), "categorical", "0001", CategoricalFeatures(), GenerateCategorical, CategoricalLabel, trees: 20, seed: 4);
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

    public static List<FeatureSpec> NumericFeatures() =>
    [
        new() { Name = "x1", Kind = FeatureEncoding.Numeric, Impute = 0.1 },
        new() { Name = "x2", Kind = FeatureEncoding.Numeric, Impute = -0.2 },
        new() { Name = "x3", Kind = FeatureEncoding.Numeric, Impute = 0 },
        new() { Name = "x4", Kind = FeatureEncoding.Numeric, Impute = 1 },
    ];

    public static PredictionContext GenerateNumeric(Random random)
    {
        var context = new PredictionContext();
        foreach (var name in new[] { "x1", "x2", "x3", "x4" })
        {
            if (random.NextDouble() > 0.08)
            {
                context.Set(name, (random.NextDouble() * 4) - 2);
            }
        }

        return context;
    }

    private static double NumericLabel(PredictionContext c)
    {
        double Get(string n, double impute) => c.TryGetNumber(n, out var v) ? v : impute;
        return Math.Clamp(50 + (12 * Get("x1", 0.1)) - (6 * Get("x2", -0.2)) + (5 * Get("x3", 0) * Get("x4", 1)), 0, 100);
    }

    private static readonly string[] Providers = ["openai", "anthropic", "google", "mistral", "cohere"];
    private static readonly string[] ModelSizes = ["small", "medium", "large"];

    private static List<FeatureSpec> CategoricalFeatures() =>
    [
        new() { Name = "provider", Kind = FeatureEncoding.Categorical, Categories = ["openai", "anthropic", "google"], RareCategories = ["mistral"] },
        new() { Name = "model", Kind = FeatureEncoding.Categorical, Categories = ["small", "medium", "large"] },
        new()
        {
            Name = "provider*model",
            Kind = FeatureEncoding.Cross,
            Of = ["provider", "model"],
            Categories = ["openai\u001flarge", "anthropic\u001flarge", "google\u001fsmall"],
        },
        new() { Name = "statValue", Kind = FeatureEncoding.Numeric, Impute = 10 },
        new() { Name = "promptTokens", Kind = FeatureEncoding.Numeric, Impute = 800 },
    ];

    private static PredictionContext GenerateCategorical(Random random)
    {
        var context = new PredictionContext();
        if (random.NextDouble() > 0.05)
        {
            context.Set("provider", Providers[random.NextDouble() < 0.8 ? random.Next(3) : 3 + random.Next(2)]);
        }

        if (random.NextDouble() > 0.05)
        {
            context.Set("model", ModelSizes[random.Next(3)]);
        }

        if (random.NextDouble() > 0.1)
        {
            context.Set("statValue", random.Next(1, 21));
        }

        context.Set("promptTokens", random.Next(100, 2000));
        return context;
    }

    private static double CategoricalLabel(PredictionContext c)
    {
        var score = 55.0;
        score += c.TryGetCategory("provider", out var p) ? p switch { "openai" => 8, "anthropic" => 12, "google" => 3, "mistral" => -5, _ => -10 } : 0;
        score += c.TryGetCategory("model", out var m) ? m switch { "large" => 10, "medium" => 4, _ => -4 } : 0;
        score += (c.TryGetNumber("statValue", out var s) ? s : 10) - 10;
        score -= c.TryGetNumber("promptTokens", out var t) ? t / 200 : 4;
        return Math.Clamp(score, 0, 100);
    }
}
