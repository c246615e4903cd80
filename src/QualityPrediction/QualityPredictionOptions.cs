using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using QualityPrediction.Ensemble;
using QualityPrediction.Heuristics;
using QualityPrediction.Models;

namespace QualityPrediction;

/// <summary>Options of a composed quality predictor, bound from the <c>"QualityPrediction"</c> configuration section.</summary>
public sealed class QualityPredictionOptions
{
    /// <summary>The default configuration section name.</summary>
    public const string SectionName = "QualityPrediction";

    /// <summary>Gets or sets the lowest possible score.</summary>
    /// <value>The default is 0.</value>
    public double MinScore { get; set; }

    /// <summary>Gets or sets the highest possible score.</summary>
    /// <value>The default is 100.</value>
    public double MaxScore { get; set; } = 100;

    /// <summary>Gets or sets the tolerance that confidence refers to: P(|error| ≤ tolerance).</summary>
    /// <value>The default is 5 (points on a 0–100 scale).</value>
    [Range(double.Epsilon, double.MaxValue)]
    public double Tolerance { get; set; } = 5;

    /// <summary>Gets or sets the model members, tried before the heuristic.</summary>
    [ValidateEnumeratedItems]
    public IList<ModelOptions> Models { get; set; } = [];

    /// <summary>Gets or sets the heuristic fallback.</summary>
    public HeuristicOptions Heuristic { get; set; } = new();

    /// <summary>Gets or sets how long the host's start waits for the model members' first load, so that the first
    /// requests are answered by the models rather than the fallback. A model that is not loaded by then keeps loading in
    /// the background (the fallback answers meanwhile); <see cref="TimeSpan.Zero"/> does not wait.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ModelLoadWaitAtStart { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how members are combined and protected.</summary>
    [ValidateObjectMembers]
    public EnsembleOptions Ensemble { get; set; } = new();

    /// <summary>Gets the declared score range.</summary>
    public ScoreRange Range => new(MinScore, MaxScore);
}
