using System.ComponentModel.DataAnnotations;

namespace QualityPrediction.Models;

/// <summary>One model member of the composed predictor, e.g. from <c>"QualityPrediction:Models"</c> in configuration.</summary>
public sealed class ModelOptions
{
    /// <summary>Gets or sets the member's name.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the path of the manifest (<c>NAME.model.json</c>), or a registry reference <c>DIR/NAME@alias</c>. Relative paths are relative to the application's base directory.</summary>
    [Required]
    public string Path { get; set; } = "";

    /// <summary>Gets or sets the runtime: <c>trees</c> (managed), <c>onnx</c> or <c>mlnet</c>; <see langword="null"/> infers it from the artifacts and the registered runtimes (managed trees preferred, then ONNX, then ML.NET; a runtime that declines a model with <see cref="UnsupportedModelException"/> hands it to the next).</summary>
    public string? Runtime { get; set; }

    /// <summary>Gets or sets the member's weight in a weighted ensemble.</summary>
    /// <value>The default is 1.</value>
    [Range(0.0, double.MaxValue)]
    public double Weight { get; set; } = 1;

    /// <summary>Gets or sets whether the artifact's SHA-256 must match the manifest before it is loaded.</summary>
    /// <value>The default is <see langword="true"/>. Turn off only for local experiments.</value>
    public bool VerifyHash { get; set; } = true;

    /// <summary>Gets or sets the largest artifact accepted, in bytes; larger files are refused before any engine reads them.</summary>
    /// <value>The default is 256 MiB.</value>
    [Range(1L, long.MaxValue)]
    public long MaxArtifactBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Gets or sets whether to watch the manifest (or the registry alias) and reload when it changes.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool WatchForChanges { get; set; } = true;

    /// <summary>Gets or sets how long to wait after the last file change before reloading.</summary>
    /// <value>The default is 500 ms.</value>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the engine options.</summary>
    public ModelRuntimeOptions Engine { get; set; } = new();
}
