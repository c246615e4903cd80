namespace QualityPrediction.Feedback;

/// <summary>A snapshot of a <see cref="FeedbackWriter"/>'s counters.</summary>
/// <param name="Queued">Records waiting in the queue.</param>
/// <param name="Written">Records written to the store since start (including replayed ones).</param>
/// <param name="Dropped">Records dropped since start: refused because the queue was full (by count or bytes) or the writer was stopped, and accepted ones lost because the spill files were full or could not be written.</param>
/// <param name="Spilled">Records spilled to the local files since start.</param>
/// <param name="Backlog">Records in the spill files waiting to be replayed into the store, including those a writer that died left behind.</param>
/// <param name="LastError">The last store error's type and message, while the store is failing; <see langword="null"/> once it works again.</param>
/// <param name="Lost">Of <paramref name="Dropped"/>, the records that had been accepted (<c>TryEnqueue</c> returned <see langword="true"/>) and were lost because neither the store nor the spill files took them; <see cref="FeedbackWriter.FlushAsync"/> throws for them.</param>
/// <param name="QueuedBytes">The estimated bytes the queued records keep alive.</param>
/// <param name="SpillBytes">The bytes waiting in the spill files.</param>
/// <param name="ValuesOmitted">Feature names or categories left out of logged predictions for being longer than <see cref="FeedbackWriterOptions.MaxLoggedValueLength"/>.</param>
public sealed record FeedbackWriterStatus(
    long Queued,
    long Written,
    long Dropped,
    long Spilled,
    long Backlog,
    string? LastError,
    long Lost = 0,
    long QueuedBytes = 0,
    long SpillBytes = 0,
    long ValuesOmitted = 0);
