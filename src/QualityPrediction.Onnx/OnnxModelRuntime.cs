using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using QualityPrediction.Models;
using QualityPrediction.Onnx.Internal;

namespace QualityPrediction.Onnx;

/// <summary>
/// Loads <c>.onnx</c> artifacts with ONNX Runtime (format <c>onnx</c>). The model must take one float input named
/// <see cref="ModelManifest.InputName"/> of shape [N, <see cref="FeatureEncoder.Length"/>] and produce the score output
/// named by <see cref="ArtifactInfo.OutputName"/> (default <c>Score.output</c>).
/// </summary>
/// <remarks>
/// Sessions use <see cref="ModelRuntimeOptions.IntraOpThreads"/> (1 by default) and no spinning for single rows, and a
/// second session with <see cref="ModelRuntimeOptions.BatchIntraOpThreads"/> for batches when those differ (created at
/// the first batch, from the verified bytes the model was loaded from). Single rows
/// run on pooled, preallocated tensors; a cancelled token terminates the run (<c>RunOptions.Terminate</c>).
/// Custom-operator libraries are never registered. Stateless and thread-safe.
/// </remarks>
public sealed class OnnxModelRuntime : IModelRuntime
{
    /// <summary>The format name, <c>onnx</c>.</summary>
    public const string FormatName = "onnx";

    /// <summary>The score output name used when the manifest gives none.</summary>
    public const string DefaultOutputName = "Score.output";

    /// <inheritdoc />
    public string Format => FormatName;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="manifest"/>, <paramref name="artifact"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    public IScoringModel Load(ModelManifest manifest, ArtifactInfo artifact, ReadOnlyMemory<byte> artifactBytes, ModelRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(options);
        var bytes = MemoryMarshal.TryGetArray(artifactBytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : artifactBytes.ToArray();
        var inputLength = FeatureEncoder.ComputeLength(manifest.Features);
        var outputName = string.IsNullOrWhiteSpace(artifact.OutputName) ? DefaultOutputName : artifact.OutputName;

        var session = CreateSession(bytes, artifact.File, Math.Max(1, options.IntraOpThreads), options.AllowSpinning);
        try
        {
            var rank = OnnxScoringModel.Validate(session, artifact.File, manifest.InputName, inputLength, outputName);

            // The batch session (other thread settings) is created at the first batch, not at load: a host that never
            // scores batches does not pay for a second session at start-up (budget 7 in docs/benchmarks.md).
            Func<InferenceSession>? batchSession = options.BatchIntraOpThreads != Math.Max(1, options.IntraOpThreads)
                ? () => CreateSession(bytes, artifact.File, Math.Max(0, options.BatchIntraOpThreads), options.AllowSpinning)
                : null;
            return new OnnxScoringModel(session, batchSession, manifest.InputName, outputName, inputLength, rank);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static InferenceSession CreateSession(byte[] bytes, string file, int intraOpThreads, bool allowSpinning)
    {
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        var spin = allowSpinning ? "1" : "0";
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spin);
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", spin);
        try
        {
            return new InferenceSession(bytes, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException(file, $"ONNX Runtime cannot load the model (corrupt or not an ONNX file): {ex.Message}", ex);
        }
    }
}
