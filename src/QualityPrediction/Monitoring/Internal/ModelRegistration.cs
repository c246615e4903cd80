using QualityPrediction.Models;

namespace QualityPrediction.Monitoring.Internal;

/// <summary>What the monitor keeps for one registered model version: its drift tracker and its accuracy tolerance.</summary>
internal sealed class ModelRegistration(ModelManifest manifest, ModelKey key, int driftWindow, bool fromStatus, DateTimeOffset? loadedAt = null)
{
    /// <summary>Gets when the status's model was loaded: a reload of the same version (a new load time) starts a fresh tracker.</summary>
    public DateTimeOffset? LoadedAt { get; } = loadedAt;

    public ModelKey Key { get; } = key;

    public DriftTracker Drift { get; } = new(manifest, key.Name, driftWindow);

    /// <summary>Gets the manifest's tolerance, or <see langword="null"/> when it declares none.</summary>
    public double? Tolerance { get; } = manifest.Target is { Tolerance: > 0 } target ? target.Tolerance : null;

    /// <summary>Gets whether a model status registered it (and retires it when that model stops serving the version), rather than <see cref="QualityMonitor.RegisterModel"/>.</summary>
    public bool FromStatus { get; } = fromStatus;
}
