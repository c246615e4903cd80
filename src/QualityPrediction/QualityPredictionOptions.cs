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

    /// <summary>The range used when neither the options nor a model's manifest give one: [0, 100].</summary>
    public static readonly ScoreRange DefaultRange = new(0, 100);

    /// <summary>The tolerance used when neither the options nor a model's manifest give one: 5 (points on a 0–100 scale).</summary>
    public const double DefaultTolerance = 5;

    /// <summary>Gets or sets the lowest possible score.</summary>
    /// <value>
    /// The default, <see langword="null"/>, takes the range from the first model's manifest (its target's <c>min</c> and
    /// <c>max</c>), or <see cref="DefaultRange"/> without models. When set, every model's manifest must declare the same
    /// range: a mismatch stops the host's start with an error naming both.
    /// </value>
    public double? MinScore { get; set; }

    /// <summary>Gets or sets the highest possible score (see <see cref="MinScore"/>).</summary>
    /// <value>The default, <see langword="null"/>, takes it from the first model's manifest, or 100 without models.</value>
    public double? MaxScore { get; set; }

    /// <summary>Gets or sets the tolerance that confidence refers to: P(|error| ≤ tolerance).</summary>
    /// <value>The default, <see langword="null"/>, takes the first model's manifest's tolerance, or <see cref="DefaultTolerance"/> without models; when set, it must equal every model's.</value>
    [Range(double.Epsilon, double.MaxValue, ErrorMessage = "must be a positive number (the error that confidence refers to, e.g. 5 on a 0-100 scale)")]
    public double? Tolerance { get; set; }

    /// <summary>Gets or sets the model members, tried before the heuristic.</summary>
    [ValidateEnumeratedItems]
    public IList<ModelOptions> Models { get; set; } = [];

    /// <summary>Gets or sets the heuristic fallback.</summary>
    public HeuristicOptions Heuristic { get; set; } = new();

    /// <summary>Gets or sets how long the host's start waits for the model members' first load, so that the first
    /// requests are answered by the models rather than the fallback. A model that is not loaded by then keeps loading in
    /// the background (the fallback answers meanwhile); <see cref="TimeSpan.Zero"/> does not wait.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "must be between 0 and 1 hour")]
    public TimeSpan ModelLoadWaitAtStart { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how members are combined and protected.</summary>
    [ValidateObjectMembers]
    public EnsembleOptions Ensemble { get; set; } = new();

    /// <summary>Gets the configuration problems found while binding (unknown keys, values that do not convert); reported by validation, all at once.</summary>
    internal List<string> BindingProblems { get; } = [];
}
