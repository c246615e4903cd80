using QualityPrediction.Models.Internal;

namespace QualityPrediction.Models;

/// <summary>A lease on one live model version, from <see cref="IModelCatalog.TryLease"/>: the version stays loaded until the lease is disposed.</summary>
/// <remarks>Dispose each lease exactly once (a <see langword="using"/> statement); a default lease holds nothing.</remarks>
public readonly struct ModelLease : IDisposable
{
    internal ModelLease(LoadedModel model) => Model = model;

    /// <summary>Gets the leased version (<see cref="ModelManifest.Version"/>); <see langword="null"/> for a default lease.</summary>
    public string? Version => Model?.Version;

    /// <summary>Gets the leased version's manifest (treat it as read-only); <see langword="null"/> for a default lease.</summary>
    public ModelManifest? Manifest => Model?.Manifest;

    /// <summary>Gets the runtime that scores the leased version (for example <c>onnx</c>); <see langword="null"/> for a default lease.</summary>
    public string? Runtime => Model?.Runtime;

    internal LoadedModel? Model { get; }

    /// <summary>Returns the lease; the last lease of a retired version disposes its engine.</summary>
    public void Dispose() => Model?.Release();
}
