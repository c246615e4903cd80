namespace QualityPrediction.Feedback;

/// <summary>A snapshot of a <see cref="FeedbackWriter"/>'s counters.</summary>
/// <param name="Queued">Records waiting in the queue.</param>
/// <param name="Written">Records written to the store since start (including replayed ones).</param>
/// <param name="Dropped">Records dropped since start because the queue was full, the writer was stopped, or the spill file could not be written.</param>
/// <param name="Spilled">Records spilled to the local file since start.</param>
/// <param name="Backlog">Records in the spill file waiting to be replayed into the store.</param>
/// <param name="LastError">The last store error's type and message, while the store is failing; <see langword="null"/> once it works again.</param>
public sealed record FeedbackWriterStatus(long Queued, long Written, long Dropped, long Spilled, long Backlog, string? LastError);
