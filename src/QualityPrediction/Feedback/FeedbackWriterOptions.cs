using System.ComponentModel.DataAnnotations;

namespace QualityPrediction.Feedback;

/// <summary>Options of the <see cref="FeedbackWriter"/>.</summary>
public sealed class FeedbackWriterOptions
{
    /// <summary>Gets or sets how many records may wait in the queue; when it is full, new records are dropped and counted, never waited for.</summary>
    /// <value>The default is 10,000.</value>
    [Range(1, int.MaxValue)]
    public int Capacity { get; set; } = 10_000;

    /// <summary>Gets or sets how many bytes the records waiting in the queue may keep alive (estimated from their strings); past it, new records are dropped and counted, as for <see cref="Capacity"/>.</summary>
    /// <value>The default is 64 MiB.</value>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxQueueBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets the longest feature name or category (in characters) a logged prediction keeps; a longer one is left out of the record (the feature is missing there) and counted in <see cref="FeedbackWriterStatus.ValuesOmitted"/>.</summary>
    /// <value>The default is 1,024.</value>
    [Range(16, int.MaxValue)]
    public int MaxLoggedValueLength { get; set; } = 1024;

    /// <summary>Gets or sets the largest number of records written to the store in one batch.</summary>
    /// <value>The default is 500.</value>
    [Range(1, int.MaxValue)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Gets or sets the folder of the spill files that keep records while the store fails; created when missing. Several writers (processes) may share it: each writes its own files, and the files of a writer that died are replayed by the next one to start.</summary>
    /// <value>The default, <see langword="null"/>, means <c>QualityPrediction/feedback-spill</c> under the temporary folder; set a persistent folder in production.</value>
    public string? SpillFolder { get; set; }

    /// <summary>Gets or sets how many bytes of records may wait in the spill files; a batch that does not fit is lost, counted in <see cref="FeedbackWriterStatus.Dropped"/>, logged, and reported by the next <see cref="FeedbackWriter.FlushAsync"/>.</summary>
    /// <value>The default is 1 GiB.</value>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxSpillBytes { get; set; } = 1L << 30;

    /// <summary>Gets or sets how long to wait after a failure before trying the store again.</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal string ResolveSpillFolder() =>
        string.IsNullOrWhiteSpace(SpillFolder) ? Path.Combine(Path.GetTempPath(), "QualityPrediction", "feedback-spill") : SpillFolder;
}
