namespace QualityPrediction.Models;

/// <summary>Whether a <see cref="ModelPredictor"/> has a model live.</summary>
public enum ModelLoadState
{
    /// <summary>No load has completed yet (the first load is still running).</summary>
    NotLoaded,

    /// <summary>A model is live and the last load succeeded.</summary>
    Loaded,

    /// <summary>A model is live, but the last reload failed; the previous version keeps serving (health: degraded).</summary>
    Degraded,

    /// <summary>No model is live: the last load failed and there was nothing to keep (predictions throw <see cref="ModelNotLoadedException"/>).</summary>
    Failed,
}

/// <summary>A snapshot of a <see cref="ModelPredictor"/>'s state, for health checks and status reports.</summary>
public sealed record ModelStatus
{
    /// <summary>Gets the predictor's (member's) name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the state.</summary>
    public required ModelLoadState State { get; init; }

    /// <summary>Gets the configured path or registry reference.</summary>
    public required string Path { get; init; }

    /// <summary>Gets the manifest path the live model was loaded from; <see langword="null"/> when none is live.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Gets the live model's version; <see langword="null"/> when none is live.</summary>
    public string? Version { get; init; }

    /// <summary>Gets the runtime format of the live model (<c>onnx</c> or <c>mlnet</c>); <see langword="null"/> when none is live.</summary>
    public string? Runtime { get; init; }

    /// <summary>Gets the live model's manifest (treat it as read-only); <see langword="null"/> when none is live.</summary>
    public ModelManifest? Manifest { get; init; }

    /// <summary>Gets when the live model was loaded; <see langword="null"/> when none is live.</summary>
    public DateTimeOffset? LoadedAt { get; init; }

    /// <summary>Gets when the last load attempt finished; <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>Gets why the last load failed (the message names the file and the reason); <see langword="null"/> when it succeeded.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets the exception of the last failed load; <see langword="null"/> when it succeeded.</summary>
    public Exception? LastException { get; init; }

    /// <summary>Gets whether a model is live (<see cref="ModelLoadState.Loaded"/> or <see cref="ModelLoadState.Degraded"/>).</summary>
    public bool IsLive => State is ModelLoadState.Loaded or ModelLoadState.Degraded;
}

/// <summary>Describes the outcome of one load or reload of a <see cref="ModelPredictor"/>.</summary>
public sealed class ModelLoadEventArgs : EventArgs
{
    /// <summary>Creates the event arguments.</summary>
    /// <param name="status">The status after the attempt.</param>
    /// <param name="error">The error when the attempt failed; <see langword="null"/> when it succeeded.</param>
    /// <exception cref="ArgumentNullException"><paramref name="status"/> is <see langword="null"/>.</exception>
    public ModelLoadEventArgs(ModelStatus status, Exception? error)
    {
        ArgumentNullException.ThrowIfNull(status);
        Status = status;
        Error = error;
    }

    /// <summary>Gets the status after the attempt.</summary>
    public ModelStatus Status { get; }

    /// <summary>Gets the error when the attempt failed; <see langword="null"/> when it succeeded.</summary>
    public Exception? Error { get; }

    /// <summary>Gets whether the attempt succeeded and a new model is live.</summary>
    public bool Succeeded => Error is null;
}
