using System.ComponentModel.DataAnnotations;

namespace QualityPrediction.Monitoring;

/// <summary>Options of the <see cref="QualityMonitor"/>: windows and health thresholds.</summary>
public sealed class QualityMonitorOptions
{
    /// <summary>Gets or sets how many of the latest outcomes, per model version and source, the rolling metrics cover (a count-based window).</summary>
    /// <value>The default is 500.</value>
    [Range(1, 1_000_000)]
    public int WindowSize { get; set; } = 500;

    /// <summary>Gets or sets, optionally, the age beyond which outcomes leave the window even when it holds fewer than <see cref="WindowSize"/> (a time-based limit on top of the count).</summary>
    /// <value>The default, <see langword="null"/>, keeps outcomes until <see cref="WindowSize"/> newer ones push them out.</value>
    public TimeSpan? WindowDuration { get; set; }

    /// <summary>Gets or sets the tolerance for the accuracy metric, |observed − predicted| ≤ tolerance, used when no registered manifest declares one for the model version.</summary>
    /// <value>The default is 5 (points on a 0–100 scale).</value>
    [Range(double.Epsilon, double.MaxValue)]
    public double Tolerance { get; set; } = 5;

    /// <summary>Gets or sets how many recent predictions are remembered to match outcomes reported by prediction id; the oldest is forgotten first.</summary>
    /// <value>The default is 10,000.</value>
    [Range(1, 10_000_000)]
    public int RecentPredictionCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets how many of the latest predictions the drift histograms cover.</summary>
    /// <value>The default is 1,000.</value>
    [Range(1, 1_000_000)]
    public int DriftWindowSize { get; set; } = 1_000;

    /// <summary>Gets or sets how many values of a feature the drift window must hold before its PSI is reported.</summary>
    /// <value>The default is 100.</value>
    [Range(1, int.MaxValue)]
    public int MinDriftSamples { get; set; } = 100;

    /// <summary>Gets or sets how many of the latest predictions the health check looks at.</summary>
    /// <value>The default is 100.</value>
    [Range(1, 1_000_000)]
    public int HealthWindowSize { get; set; } = 100;

    /// <summary>Gets or sets the age beyond which predictions no longer count for health.</summary>
    /// <value>The default is 5 minutes.</value>
    public TimeSpan HealthWindowDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the rolling mean absolute error above which health is Degraded; <see langword="null"/> turns the check off.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public double? MaxMeanAbsoluteError { get; set; }

    /// <summary>Gets or sets the rolling accuracy within tolerance below which health is Degraded; <see langword="null"/> turns the check off.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    [Range(0.0, 1.0)]
    public double? MinAccuracy { get; set; }

    /// <summary>Gets or sets how many outcomes a window needs before its error and accuracy count for health.</summary>
    /// <value>The default is 20.</value>
    [Range(1, int.MaxValue)]
    public int MinOutcomes { get; set; } = 20;

    /// <summary>Gets or sets the PSI above which a feature's drift makes health Degraded; <see langword="null"/> turns the check off.</summary>
    /// <value>The default is 0.25 (the usual threshold of a significant shift).</value>
    public double? MaxDriftPsi { get; set; } = 0.25;

    /// <summary>Gets or sets the share of recent predictions answered on a fallback (a model member failed, timed out, was open or not loaded, or the default answered) above which health is Degraded.</summary>
    /// <value>The default is 0.2.</value>
    [Range(0.0, 1.0)]
    public double MaxFallbackShare { get; set; } = 0.2;
}
