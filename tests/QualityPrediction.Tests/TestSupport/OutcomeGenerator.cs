using QualityPrediction;

namespace QualityPrediction.Tests.TestSupport;

/// <summary>Generates synthetic outcome rows with known structure: provider means, model offsets, action-type effects and Gaussian noise.</summary>
internal static class OutcomeGenerator
{
    public static readonly IReadOnlyDictionary<string, double> ProviderMeans = new Dictionary<string, double>
    {
        ["openai"] = 60,
        ["anthropic"] = 75,
        ["mistral"] = 85,
    };

    /// <summary>Models per provider with their offsets from the provider mean (offsets average to 0 within each provider).</summary>
    public static readonly IReadOnlyList<(string Provider, string Model, double Offset)> Models =
    [
        ("openai", "gpt-4o-mini", -5),
        ("openai", "gpt-4o", 5),
        ("anthropic", "claude-haiku", -4),
        ("anthropic", "claude-sonnet", 4),
        ("mistral", "mistral-small", -3),
        ("mistral", "mistral-large", 3),
    ];

    public static readonly IReadOnlyDictionary<string, double> ActionEffects = new Dictionary<string, double>
    {
        ["combat"] = 4,
        ["dialogue"] = -4,
        ["explore"] = 0,
    };

    public const double NoiseSd = 3;

    /// <summary>Rows balanced over models and action types.</summary>
    public static (List<PredictionContext> Contexts, List<double> Targets) Generate(int rowsPerCell, int seed)
    {
        var random = new Random(seed);
        var contexts = new List<PredictionContext>();
        var targets = new List<double>();
        for (var r = 0; r < rowsPerCell; r++)
        {
            foreach (var (provider, model, offset) in Models)
            {
                foreach (var (action, effect) in ActionEffects)
                {
                    contexts.Add(new PredictionContext().WithProvider(provider).WithModel(model).WithActionType(action).WithStat("wits", random.Next(1, 20)));
                    targets.Add(TrueMean(provider, offset, action) + (NoiseSd * Gaussian(random)));
                }
            }
        }

        return (contexts, targets);
    }

    public static double TrueMean(string provider, double modelOffset, string action) => ProviderMeans[provider] + modelOffset + ActionEffects[action];

    public static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
