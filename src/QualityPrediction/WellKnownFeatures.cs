namespace QualityPrediction;

/// <summary>
/// The feature names used for the common fields of an LLM generation. Models and heuristics may use any
/// other names too; these are only conventions that <see cref="PredictionContext"/>'s helpers write.
/// </summary>
public static class WellKnownFeatures
{
    /// <summary>The LLM provider, e.g. <c>openai</c> (categorical).</summary>
    public const string Provider = "provider";

    /// <summary>The model name, e.g. <c>gpt-4o-mini</c> (categorical).</summary>
    public const string Model = "model";

    /// <summary>The kind of action being narrated, e.g. <c>combat</c> (categorical).</summary>
    public const string ActionType = "actionType";

    /// <summary>The scenario identifier (categorical).</summary>
    public const string Scenario = "scenarioId";

    /// <summary>The kind of dice roll, e.g. <c>success</c> or <c>critical-failure</c> (categorical).</summary>
    public const string RollType = "rollType";

    /// <summary>The name of the stat that was rolled, e.g. <c>wits</c> (categorical).</summary>
    public const string StatName = "statName";

    /// <summary>The value of the stat that was rolled (numeric).</summary>
    public const string StatValue = "statValue";

    /// <summary>The size of the prompt in tokens (numeric).</summary>
    public const string PromptTokens = "promptTokens";
}
