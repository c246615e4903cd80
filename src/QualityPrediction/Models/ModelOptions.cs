using System.ComponentModel.DataAnnotations;

namespace QualityPrediction.Models;

/// <summary>One model member of the composed predictor, e.g. from <c>"QualityPrediction:Models"</c> in configuration.</summary>
public sealed class ModelOptions
{
    /// <summary>Gets or sets the member's name.</summary>
    [Required(ErrorMessage = "is required: give the model a unique name")]
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the path of the manifest (<c>NAME.model.json</c>), or a registry reference <c>DIR/NAME@alias</c>. A relative path is resolved against the host's content root (<c>IHostEnvironment.ContentRootPath</c>) when there is a host, and against the current directory otherwise, as <see cref="File"/> APIs do.</summary>
    [Required(ErrorMessage = "is required: the manifest (NAME.model.json) or a registry reference (DIR/NAME@alias)")]
    public string Path { get; set; } = "";

    /// <summary>Gets or sets the runtime: <c>trees</c> (managed), <c>onnx</c> or <c>mlnet</c>; <see langword="null"/> infers it from the artifacts and the registered runtimes (managed trees preferred, then ONNX, then ML.NET; a runtime that declines a model with <see cref="UnsupportedModelException"/> hands it to the next).</summary>
    public string? Runtime { get; set; }

    /// <summary>Gets or sets the member's weight in a weighted ensemble.</summary>
    /// <value>The default is 1.</value>
    [Range(0.0, double.MaxValue, ErrorMessage = "must be 0 or more")]
    public double Weight { get; set; } = 1;

    /// <summary>Gets or sets whether the artifact's SHA-256 must match the manifest before it is loaded.</summary>
    /// <value>The default is <see langword="true"/>. Turn off only for local experiments.</value>
    public bool VerifyHash { get; set; } = true;

    /// <summary>Gets or sets the largest artifact accepted, in bytes; larger files are refused before any engine reads them.</summary>
    /// <value>The default is 256 MiB.</value>
    [Range(1L, long.MaxValue, ErrorMessage = "must be at least 1 byte")]
    public long MaxArtifactBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Gets or sets whether to watch the manifest (or the registry alias) and reload when it changes.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool WatchForChanges { get; set; } = true;

    /// <summary>Gets or sets how long to wait after the last file change before reloading.</summary>
    /// <value>The default is 500 ms.</value>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets what a context feature that the model does not know (a misspelled name, another model's feature) does.</summary>
    /// <value>The default is <see cref="UnknownFeatureHandling.Warn"/>: log once per model and feature name (with a "did you mean" for a near miss) and count it in the <c>quality_prediction.unknown_features</c> metric.</value>
    public UnknownFeatureHandling UnknownFeatures { get; set; } = UnknownFeatureHandling.Warn;

    /// <summary>Gets or sets how long one load (reading, verifying, engine load, warm-up) may take before it is abandoned and reported as failed.</summary>
    /// <value>The default is 60 seconds. A stuck load (a file that never finishes opening) never blocks later reloads.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "must be between 1 ms and 1 hour")]
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the longest wait between retries of a failed load while <see cref="WatchForChanges"/> is on (retries start after 1 s and double), so that a deploy whose files land in any order goes live once they agree.</summary>
    /// <value>The default is 30 seconds; <see cref="TimeSpan.Zero"/> turns retries off.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "must be between 0 and 1 hour")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets whether a reload may swap in a version whose schema differs from the live one's (a feature added, removed or of another kind, or another target range).</summary>
    /// <value>The default is <see langword="false"/>: such a version is refused (the status says which difference) and the live one keeps serving.</value>
    public bool AcceptSchemaChanges { get; set; }

    /// <summary>Gets or sets the engine options.</summary>
    public ModelRuntimeOptions Engine { get; set; } = new();
}
