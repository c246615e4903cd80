namespace QualityPrediction.Feedback;

/// <summary>
/// Thrown by <see cref="FeedbackWriter.FlushAsync"/> when records the writer had accepted were lost since the previous
/// flush: the store failed and the spill files could not take them (full, or not writable). Those records are not
/// stored; everything else queued before the flush is in the store or in the spill files.
/// </summary>
public sealed class FeedbackRecordsLostException : IOException
{
    /// <summary>Creates the exception.</summary>
    public FeedbackRecordsLostException()
        : this("Accepted feedback records were lost.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public FeedbackRecordsLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The error.</param>
    public FeedbackRecordsLostException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the count and the reason.</summary>
    /// <param name="lost">How many accepted records were lost.</param>
    /// <param name="reason">Why (the spill files' error or their size limit).</param>
    /// <param name="innerException">The last error, when there was one.</param>
    public FeedbackRecordsLostException(long lost, string reason, Exception? innerException = null)
        : base($"{lost} accepted feedback records were lost since the previous flush: {reason}", innerException)
    {
        Lost = lost;
        Reason = reason;
    }

    /// <summary>Gets how many accepted records were lost.</summary>
    public long Lost { get; }

    /// <summary>Gets why they were lost.</summary>
    public string? Reason { get; }
}
