namespace QualityPrediction.Heuristics;

/// <summary>Which heuristic the composed predictor uses as its fallback.</summary>
public enum HeuristicMode
{
    /// <summary>Configured rules (<see cref="HeuristicOptions.Rules"/>).</summary>
    Rules,

    /// <summary>Baselines fitted from outcomes: loaded from <see cref="HeuristicOptions.ModelPath"/> (JSON) or fitted at start from <see cref="HeuristicOptions.OutcomesPath"/>.</summary>
    Fitted,

    /// <summary>No heuristic: when every model fails, the default score answers.</summary>
    None,
}

/// <summary>Options of the heuristic fallback.</summary>
public sealed class HeuristicOptions
{
    /// <summary>Gets or sets which heuristic to use.</summary>
    /// <value>The default is <see cref="HeuristicMode.Rules"/>.</value>
    public HeuristicMode Mode { get; set; } = HeuristicMode.Rules;

    /// <summary>Gets or sets the configured rules (used when <see cref="Mode"/> is <see cref="HeuristicMode.Rules"/>).</summary>
    public HeuristicRules Rules { get; set; } = new();

    /// <summary>Gets or sets the path of a fitted heuristic saved as JSON.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Gets or sets the path of an outcomes file (JSON lines of flat records) to fit the heuristic from at start.</summary>
    public string? OutcomesPath { get; set; }

    /// <summary>Gets or sets how to fit the heuristic from <see cref="OutcomesPath"/>.</summary>
    public HeuristicFitOptions Fit { get; set; } = new();
}
