namespace QualityPrediction.Feedback.Internal;

/// <summary>How far a spill set has been replayed: the segment and byte offset replay resumes at, and the end of a batch whose write to the store was started but not confirmed.</summary>
/// <param name="Segment">The segment number replay resumes in.</param>
/// <param name="Offset">The byte offset in that segment; everything before it is in the store.</param>
/// <param name="InFlight">The end offset of the batch being written when this was saved; <see langword="null"/> when none was.</param>
internal sealed record SpillProgress(int Segment, long Offset, long? InFlight);
