namespace QualityPrediction.Models;

/// <summary>A snapshot of one configured model's state in the <see cref="IModelCatalog"/>, for health checks and status reports.</summary>
public sealed record ModelStatus
{
    /// <summary>Gets the model's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the state.</summary>
    public required ModelLoadState State { get; init; }

    /// <summary>Gets the configured path or registry reference.</summary>
    public required string Path { get; init; }

    /// <summary>Gets the full path the configured path resolves to (relative paths against the host's content root, or the current directory without a host).</summary>
    public string? ResolvedPath { get; init; }

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
