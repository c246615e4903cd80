using Microsoft.Extensions.Logging;

namespace QualityPrediction.Feedback.Internal;

/// <summary>Source-generated log messages of the feedback store and writer (event ids 5100–5199).</summary>
internal static partial class FeedbackLog
{
    public const int BadLineId = 5101;
    public const int TornTailId = 5102;
    public const int StoreWriteFailedId = 5103;
    public const int SpillReplayedId = 5104;
    public const int SpillReplayFailedId = 5105;
    public const int SpillWriteFailedId = 5106;
    public const int RecordsDroppedId = 5107;
    public const int ObserverFailedId = 5108;
    public const int SpillFoundId = 5109;
    public const int SpillFullId = 5110;
    public const int RecordsLostId = 5111;
    public const int ValuesOmittedId = 5112;
    public const int FilesRetiredId = 5113;
    public const int RetentionBlockedId = 5114;
    public const int RetentionFailedId = 5115;

    [LoggerMessage(EventId = BadLineId, EventName = "FeedbackBadLine", Level = LogLevel.Warning, Message = "Feedback file '{File}' {Where}: {Reason}.")]
    public static partial void BadLine(ILogger logger, string file, string where, string reason);

    [LoggerMessage(EventId = TornTailId, EventName = "FeedbackTornTail", Level = LogLevel.Warning, Message = "Feedback file '{File}' ended in a torn line (an interrupted write); it was terminated and later lines are written after it.")]
    public static partial void TornTail(ILogger logger, string file);

    [LoggerMessage(EventId = StoreWriteFailedId, EventName = "FeedbackStoreWriteFailed", Level = LogLevel.Warning, Message = "The feedback store failed to write a batch of {Count} records; they were spilled to '{SpillFile}' and will be replayed.")]
    public static partial void StoreWriteFailed(ILogger logger, Exception exception, int count, string spillFile);

    [LoggerMessage(EventId = SpillReplayedId, EventName = "FeedbackSpillReplayed", Level = LogLevel.Information, Message = "Replayed {Count} spilled feedback records into the store.")]
    public static partial void SpillReplayed(ILogger logger, long count);

    [LoggerMessage(EventId = SpillReplayFailedId, EventName = "FeedbackSpillReplayFailed", Level = LogLevel.Warning, Message = "Replaying spilled feedback records failed; retrying later.")]
    public static partial void SpillReplayFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = SpillWriteFailedId, EventName = "FeedbackSpillWriteFailed", Level = LogLevel.Error, Message = "Could not spill {Count} feedback records to '{SpillFile}'; they are lost.")]
    public static partial void SpillWriteFailed(ILogger logger, Exception exception, int count, string spillFile);

    [LoggerMessage(EventId = RecordsDroppedId, EventName = "FeedbackRecordsDropped", Level = LogLevel.Warning, Message = "The feedback queue is full (capacity {Capacity} records or {MaxQueueBytes} bytes); records are being dropped ({Dropped} so far).")]
    public static partial void RecordsDropped(ILogger logger, int capacity, long maxQueueBytes, long dropped);

    [LoggerMessage(EventId = ObserverFailedId, EventName = "FeedbackObserverFailed", Level = LogLevel.Debug, Message = "A prediction could not be recorded for feedback.")]
    public static partial void ObserverFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = SpillFoundId, EventName = "FeedbackSpillFound", Level = LogLevel.Information, Message = "Found {Count} spilled feedback records of a writer that is gone ({SpillFiles}); they will be replayed.")]
    public static partial void SpillFound(ILogger logger, string spillFiles, long count);

    [LoggerMessage(EventId = SpillFullId, EventName = "FeedbackSpillFull", Level = LogLevel.Error, Message = "The spill files in '{SpillFolder}' hold {PendingBytes} bytes, at the limit of {MaxSpillBytes} (MaxSpillBytes): a batch of {Count} feedback records is lost ({Dropped} dropped so far).")]
    public static partial void SpillFull(ILogger logger, string spillFolder, long pendingBytes, long maxSpillBytes, int count, long dropped);

    [LoggerMessage(EventId = RecordsLostId, EventName = "FeedbackRecordsLost", Level = LogLevel.Error, Message = "{Count} accepted feedback records were lost since the last flush; the flush reports it.")]
    public static partial void RecordsLost(ILogger logger, long count);

    [LoggerMessage(EventId = ValuesOmittedId, EventName = "FeedbackValuesOmitted", Level = LogLevel.Warning, Message = "A logged prediction had a feature name or category longer than {MaxLength} characters (MaxLoggedValueLength); such features are left out of the record ({Omitted} so far).")]
    public static partial void ValuesOmitted(ILogger logger, int maxLength, long omitted);

    [LoggerMessage(EventId = FilesRetiredId, EventName = "FeedbackFilesRetired", Level = LogLevel.Information, Message = "Retention deleted {Count} collected feedback files in '{Folder}'.")]
    public static partial void FilesRetired(ILogger logger, int count, string folder);

    [LoggerMessage(EventId = RetentionBlockedId, EventName = "FeedbackRetentionBlocked", Level = LogLevel.Warning, Message = "The feedback files in '{Folder}' hold {TotalBytes} bytes, above MaxTotalBytes {MaxTotalBytes}, but the rest is not collected yet by all {Consumers} consumers (or still written): nothing more is deleted until it is.")]
    public static partial void RetentionBlocked(ILogger logger, string folder, long totalBytes, long maxTotalBytes, int consumers);

    [LoggerMessage(EventId = RetentionFailedId, EventName = "FeedbackRetentionFailed", Level = LogLevel.Warning, Message = "Retention could not delete '{Path}'; it is tried again after the next rotation.")]
    public static partial void RetentionFailed(ILogger logger, Exception exception, string path);
}
