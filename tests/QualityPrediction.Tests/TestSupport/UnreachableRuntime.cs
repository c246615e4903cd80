using QualityPrediction.Models;

namespace QualityPrediction.Tests.TestSupport;

/// <summary>A registered runtime for configurations whose model files do not exist: the catalog's loads fail before any engine is asked.</summary>
internal sealed class UnreachableRuntime : IModelRuntime
{
    public string Format => "onnx";

    public IScoringModel Load(ModelManifest manifest, ArtifactInfo artifact, ReadOnlyMemory<byte> artifactBytes, ModelRuntimeOptions options) =>
        throw new ModelLoadException(artifact.File, "this test runtime loads nothing.", null);
}
