using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace QualityPrediction.Ensemble;

/// <summary>How an ensemble combines its members.</summary>
public enum EnsembleStrategy
{
    /// <summary>Members in order; the first that answers wins (models first, the heuristic last).</summary>
    PriorityChain,

    /// <summary>The weighted average of every member that answers.</summary>
    WeightedAverage,

    /// <summary>The average of every member that answers, weighted by weight × confidence.</summary>
    ConfidenceWeightedAverage,
}

/// <summary>Options of an ensemble.</summary>
public sealed class EnsembleOptions
{
    /// <summary>Gets or sets the strategy.</summary>
    /// <value>The default is <see cref="EnsembleStrategy.PriorityChain"/>.</value>
    public EnsembleStrategy Strategy { get; set; } = EnsembleStrategy.PriorityChain;

    /// <summary>Gets or sets how long a model member may take before it is cancelled and the next answers.</summary>
    /// <value>The default is 250 ms.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "must be between 1 ms and 1 hour, for example 00:00:00.250")]
    public TimeSpan MemberTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets the circuit breaker that stops calling a failing model member.</summary>
    [ValidateObjectMembers]
    public CircuitBreakerSettings CircuitBreaker { get; set; } = new();

    /// <summary>Gets or sets the score returned when no member can answer.</summary>
    /// <value>The default is <see langword="null"/>: the middle of the score range.</value>
    public double? DefaultScore { get; set; }
}

/// <summary>Circuit-breaker settings for model members, tuned for in-process call rates.</summary>
public sealed class CircuitBreakerSettings
{
    /// <summary>Gets or sets whether model members run behind a Polly circuit breaker.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    /// <remarks>
    /// The breaker stops calling a member that keeps failing until <see cref="BreakDuration"/> has passed. It costs
    /// about 0.5 µs per call on the 2-core benchmark machine (two locks and its health window per execution; see
    /// docs/benchmarks.md), about an eighth of a single-row model call. A host whose models run in process and fail
    /// cheaply may turn it off: the member timeout and the fallback on any failure still apply, only the short-circuit
    /// of a failing member goes.
    /// </remarks>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the failure ratio within <see cref="SamplingDuration"/> that opens the circuit.</summary>
    /// <value>The default is 0.5.</value>
    [Range(0.01, 1.0, ErrorMessage = "must be between 0.01 and 1 (the share of failed calls that opens the circuit)")]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets the fewest calls within <see cref="SamplingDuration"/> before the circuit may open.</summary>
    /// <value>The default is 10.</value>
    [Range(2, int.MaxValue, ErrorMessage = "must be at least 2")]
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>Gets or sets the window over which failures are counted.</summary>
    /// <value>The default is 10 s.</value>
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00", ErrorMessage = "must be between 0.5 s and 1 day")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long the circuit stays open before a trial call.</summary>
    /// <value>The default is 15 s.</value>
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00", ErrorMessage = "must be between 0.5 s and 1 day")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
