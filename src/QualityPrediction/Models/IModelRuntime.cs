namespace QualityPrediction.Models;

/// <summary>
/// An inference engine that can load one artifact format (ML.NET <c>.zip</c> or <c>.onnx</c>). Implemented by the
/// runtime packages (<c>QualityPrediction.MLNet</c>, <c>QualityPrediction.Onnx</c>); hosts rarely use it directly.
/// </summary>
public interface IModelRuntime
{
    /// <summary>Gets the artifact format this runtime loads: <c>mlnet</c> or <c>onnx</c> (see <see cref="ArtifactInfo.Format"/>).</summary>
    string Format { get; }

    /// <summary>Gets the runtime's name, as <see cref="ModelOptions.Runtime"/> names it: <c>onnx</c>, <c>mlnet</c> or <c>trees</c>.</summary>
    /// <value>The default is <see cref="Format"/>; a runtime that reads another runtime's format (the managed tree runtime reads <c>onnx</c> artifacts) has its own name.</value>
    string Name => Format;

    /// <summary>Loads a model from bytes that the caller has already verified (size, SHA-256, path containment).</summary>
    /// <param name="manifest">The validated manifest.</param>
    /// <param name="artifact">The manifest's entry for the artifact.</param>
    /// <param name="artifactBytes">The artifact's verified content.</param>
    /// <param name="options">Engine options.</param>
    /// <returns>A loaded, warmed-up model.</returns>
    /// <exception cref="ModelLoadException">The engine refused the bytes, or the model's inputs or outputs do not match the manifest.</exception>
    IScoringModel Load(ModelManifest manifest, ArtifactInfo artifact, ReadOnlyMemory<byte> artifactBytes, ModelRuntimeOptions options);
}
