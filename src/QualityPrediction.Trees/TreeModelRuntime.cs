using QualityPrediction.Models;
using QualityPrediction.Trees.Internal;
using QualityPrediction.Trees.Internal.Onnx;

namespace QualityPrediction.Trees;

/// <summary>
/// Scores the <c>.onnx</c> artifacts of tree-ensemble models in managed code (runtime name <c>trees</c>, artifact format
/// <c>onnx</c>): no native engine, no ONNX Runtime or ML.NET, Native AOT compatible.
/// </summary>
/// <remarks>
/// <para>
/// The artifact is parsed as untrusted input (a bounded protobuf reader, see <c>docs/trees.md</c>). The runtime runs the
/// chain from the graph's one float input (named <see cref="ModelManifest.InputName"/>, shape [N, <see cref="FeatureEncoder.Length"/>])
/// to the score output (<see cref="ArtifactInfo.OutputName"/>, default <c>Score.output</c>): <c>ai.onnx.ml.Scaler</c>,
/// <c>Identity</c> and <c>Cast</c> to float before or after one <c>ai.onnx.ml.TreeEnsembleRegressor</c> with any of the
/// ONNX branch modes, missing-value tracking, float or double thresholds, base values and the aggregates <c>SUM</c>,
/// <c>AVERAGE</c>, <c>MIN</c>, <c>MAX</c> (post transform <c>NONE</c>). Anything else is refused with an
/// <see cref="UnsupportedModelException"/> that names the operator or attribute, and a host that also registers the ONNX
/// runtime loads the model with ONNX Runtime instead.
/// </para>
/// <para>
/// Leaf values are added in double precision (QuickScorer: four partial sums over the trees in file order; the walk for
/// trees of more than 64 leaves: tree after tree, deepest first), then the base value; the result is rounded to float once. ONNX Runtime adds in float, so scores
/// differ from it by float rounding only (about 1e-7 of the score per hundred trees).
/// </para>
/// <para>Stateless and thread-safe; loaded models are immutable and score concurrently without locks.</para>
/// </remarks>
public sealed class TreeModelRuntime : IModelRuntime
{
    /// <summary>The runtime's name, <c>trees</c>, as <see cref="ModelOptions.Runtime"/> names it.</summary>
    public const string RuntimeName = "trees";

    /// <summary>The artifact format the runtime reads, <c>onnx</c>.</summary>
    public const string FormatName = "onnx";

    /// <summary>The score output name used when the manifest gives none.</summary>
    public const string DefaultOutputName = "Score.output";

    /// <inheritdoc />
    public string Format => FormatName;

    /// <inheritdoc />
    public string Name => RuntimeName;

    /// <inheritdoc />
    /// <remarks>Single rows are scored on the calling thread; batches of 256 rows or more use <see cref="ModelRuntimeOptions.BatchIntraOpThreads"/> threads (0: one per processor).</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="manifest"/>, <paramref name="artifact"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="UnsupportedModelException">The graph is sound but uses an operator, attribute or mode the runtime does not implement; the message names it.</exception>
    /// <exception cref="ModelLoadException">The bytes are not a well-formed ONNX model within the reader's limits, or its input or output does not match the manifest.</exception>
    public IScoringModel Load(ModelManifest manifest, ArtifactInfo artifact, ReadOnlyMemory<byte> artifactBytes, ModelRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(options);
        var inputLength = FeatureEncoder.ComputeLength(manifest.Features);
        var outputName = string.IsNullOrWhiteSpace(artifact.OutputName) ? DefaultOutputName : artifact.OutputName;
        TreeGraph graph;
        try
        {
            var model = OnnxModelReader.Read(artifactBytes.Span);
            graph = TreeGraph.Compile(model, manifest.InputName, inputLength, outputName);
        }
        catch (OnnxFormatException ex)
        {
            throw new ModelLoadException(artifact.File, $"not a well-formed ONNX model: {ex.Message}.", ex);
        }
        catch (UnsupportedGraphException ex)
        {
            throw new UnsupportedModelException(artifact.File, $"the tree runtime cannot run this model: {ex.Message}.", ex);
        }
        catch (GraphMismatchException ex)
        {
            throw new ModelLoadException(artifact.File, ex.Message, ex);
        }

        var batchThreads = options.BatchIntraOpThreads > 0 ? options.BatchIntraOpThreads : Environment.ProcessorCount;
        return new TreeScoringModel(graph, batchThreads);
    }
}
