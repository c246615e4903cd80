namespace QualityPrediction.Training.Registry;

/// <summary>Who made a change to a registry, when, and why: stamped on a version's metadata and on the history entry.</summary>
/// <param name="At">When the change was made.</param>
/// <param name="By">Who made it (by default <c>user@host</c>).</param>
/// <param name="Reason">Why, when the person said so.</param>
public sealed record RegistryChange(DateTimeOffset At, string By, string? Reason = null)
{
    /// <summary>The person running this process: <c>user@host</c>.</summary>
    public static string CurrentUser => $"{Environment.UserName}@{Environment.MachineName}";

    /// <summary>A change made now (by <paramref name="timeProvider"/>'s clock) by <paramref name="by"/> or the current user.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="by">Who; <see cref="CurrentUser"/> when <see langword="null"/> or blank.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The change.</returns>
    public static RegistryChange Now(TimeProvider? timeProvider = null, string? by = null, string? reason = null) =>
        new((timeProvider ?? TimeProvider.System).GetUtcNow(), string.IsNullOrWhiteSpace(by) ? CurrentUser : by, string.IsNullOrWhiteSpace(reason) ? null : reason);
}
