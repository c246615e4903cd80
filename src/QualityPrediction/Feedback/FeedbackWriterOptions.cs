using System.ComponentModel.DataAnnotations;

namespace QualityPrediction.Feedback;

/// <summary>Options of the <see cref="FeedbackWriter"/>.</summary>
public sealed class FeedbackWriterOptions
{
    /// <summary>Gets or sets how many records may wait in the queue; when it is full, new records are dropped and counted, never waited for.</summary>
    /// <value>The default is 10,000.</value>
    [Range(1, int.MaxValue)]
    public int Capacity { get; set; } = 10_000;

    /// <summary>Gets or sets the largest number of records written to the store in one batch.</summary>
    /// <value>The default is 500.</value>
    [Range(1, int.MaxValue)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Gets or sets the folder of the spill file (<c>feedback-spill.jsonl</c>) that keeps records while the store fails; created when missing.</summary>
    /// <value>The default, <see langword="null"/>, means <c>QualityPrediction/feedback-spill</c> under the temporary folder; set a persistent folder in production, one per writing process.</value>
    public string? SpillFolder { get; set; }

    /// <summary>Gets or sets how long to wait after a failure before trying the store again.</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal string ResolveSpillFolder() =>
        string.IsNullOrWhiteSpace(SpillFolder) ? Path.Combine(Path.GetTempPath(), "QualityPrediction", "feedback-spill") : SpillFolder;
}
