using QualityPrediction.Models;

namespace QualityPrediction.Runtimes.Tests.TestSupport;

/// <summary>
/// The feature layouts, context generators and true labels of the fixture models, shared by the runtime and the
/// reliability tests (linked into both projects): an all-numeric model with an interaction, and a model with
/// categorical features (rare and unknown slots), a crossed pair and two numeric features.
/// </summary>
internal static class FixtureData
{
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

    public static double NumericLabel(PredictionContext c)
    {
        double Get(string n, double impute) => c.TryGetNumber(n, out var v) ? v : impute;
        return Math.Clamp(50 + (12 * Get("x1", 0.1)) - (6 * Get("x2", -0.2)) + (5 * Get("x3", 0) * Get("x4", 1)), 0, 100);
    }

    private static readonly string[] Providers = ["openai", "anthropic", "google", "mistral", "cohere"];
    private static readonly string[] Models = ["small", "medium", "large"];

    public static List<FeatureSpec> CategoricalFeatures() =>
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

    public static PredictionContext GenerateCategorical(Random random)
    {
        var context = new PredictionContext();
        if (random.NextDouble() > 0.05)
        {
            // "mistral" is rare (shared rare slot); "cohere" is never in the manifest (unknown slot).
            context.Set("provider", Providers[random.NextDouble() < 0.8 ? random.Next(3) : 3 + random.Next(2)]);
        }

        if (random.NextDouble() > 0.05)
        {
            context.Set("model", Models[random.Next(3)]);
        }

        if (random.NextDouble() > 0.1)
        {
            context.Set("statValue", random.Next(1, 21));
        }

        context.Set("promptTokens", random.Next(100, 2000));
        return context;
    }

    public static double CategoricalLabel(PredictionContext c)
    {
        var score = 55.0;
        score += c.TryGetCategory("provider", out var p) ? p switch { "openai" => 8, "anthropic" => 12, "google" => 3, "mistral" => -5, _ => -10 } : 0;
        score += c.TryGetCategory("model", out var m) ? m switch { "large" => 10, "medium" => 4, _ => -4 } : 0;
        score += (c.TryGetNumber("statValue", out var s) ? s : 10) - 10;
        score -= c.TryGetNumber("promptTokens", out var t) ? t / 200 : 4;
        return Math.Clamp(score, 0, 100);
    }
}
