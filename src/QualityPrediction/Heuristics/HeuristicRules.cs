using System.ComponentModel.DataAnnotations;

namespace QualityPrediction.Heuristics;

/// <summary>
/// Configured heuristic rules: <c>score = BaseScore + Σ adjustment(category) + Σ weight × (value − center)</c>, clamped to the range.
/// </summary>
public sealed class HeuristicRules
{
    /// <summary>Gets or sets the score before adjustments.</summary>
    /// <value>The default, <see langword="null"/>, is 70 % of the way up the score range (70 on [0, 100], 7.2 on [3, 9]).</value>
    [Range(double.MinValue, double.MaxValue, ErrorMessage = "must be a finite number")]
    public double? BaseScore { get; set; }

    /// <summary>Gets or sets additive adjustments per categorical feature and value, e.g. <c>Adjustments["provider"]["openai"] = 3</c>. Values not listed add nothing.</summary>
    public IDictionary<string, IDictionary<string, double>> Adjustments { get; set; } = new Dictionary<string, IDictionary<string, double>>(StringComparer.Ordinal);

    /// <summary>Gets or sets linear weights per numeric feature. Missing features add nothing.</summary>
    public IDictionary<string, NumericRule> Numeric { get; set; } = new Dictionary<string, NumericRule>(StringComparer.Ordinal);

    /// <summary>Gets or sets the confidence reported with every answer; it is labelled <see cref="ConfidenceKind.Configured"/>, not measured.</summary>
    /// <value>The default is 0.3.</value>
    [Range(0.0, 1.0, ErrorMessage = "must be within [0, 1]")]
    public double Confidence { get; set; } = 0.3;

    /// <summary>Gets or sets the half-width of the reported interval (no coverage is claimed for it).</summary>
    /// <value>The default, <see langword="null"/>, is 15 % of the score range's width (15 on [0, 100], 0.9 on [3, 9]).</value>
    [Range(0.0, double.MaxValue, ErrorMessage = "must be a finite number ≥ 0")]
    public double? IntervalHalfWidth { get; set; }
}

/// <summary>A linear rule for one numeric feature: adds <c>Weight × (value − Center)</c>.</summary>
public sealed class NumericRule
{
    /// <summary>Gets or sets the weight.</summary>
    public double Weight { get; set; }

    /// <summary>Gets or sets the value that adds nothing.</summary>
    public double Center { get; set; }
}

/// <summary>How to fit hierarchical baselines from outcomes.</summary>
public sealed class HeuristicFitOptions
{
    /// <summary>Gets or sets the target column of the outcome rows.</summary>
    /// <value>The default is <c>quality</c>.</value>
    public string Target { get; set; } = "quality";

    /// <summary>Gets or sets the hierarchy of categorical features from the most general to the most specific; each level is nested in the previous one.</summary>
    /// <value>The default is <c>provider</c> → <c>model</c>.</value>
    public IList<string> Hierarchy { get; set; } = [WellKnownFeatures.Provider, WellKnownFeatures.Model];

    /// <summary>Gets or sets categorical features whose effect is added on top of the hierarchy's answer (e.g. <c>actionType</c>).</summary>
    /// <value>The default is <c>actionType</c>.</value>
    public IList<string> Factors { get; set; } = [WellKnownFeatures.ActionType];

    /// <summary>Gets or sets the shrinkage strength: a group's mean counts as many rows as it has, its parent's as this many.</summary>
    /// <value>The default is 10.</value>
    public double Shrinkage { get; set; } = 10;

    /// <summary>Gets or sets the nominal coverage of the interval.</summary>
    /// <value>The default is 0.9.</value>
    public double Coverage { get; set; } = 0.9;

    /// <summary>Gets or sets the fewest rows a level needs to keep its own residual statistics; below it, its parent's are used.</summary>
    /// <value>The default is 20.</value>
    public int MinRowsForResiduals { get; set; } = 20;
}
