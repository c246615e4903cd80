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

/// <summary>A loaded model that scores encoded input vectors. Thread-safe; owns native resources until disposed.</summary>
public interface IScoringModel : IDisposable
{
    /// <summary>Gets the input vector length the model expects.</summary>
    int InputLength { get; }

    /// <summary>Scores one input vector.</summary>
    /// <param name="features">The encoded features (<see cref="InputLength"/> values).</param>
    /// <param name="cancellationToken">Stops the work where the engine allows it (ONNX Runtime terminates the run).</param>
    /// <returns>The raw (unclamped) score.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    float Score(ReadOnlySpan<float> features, CancellationToken cancellationToken);

    /// <summary>Scores many input vectors in one engine call.</summary>
    /// <param name="features">The encoded features, row after row (<c>scores.Length × InputLength</c> values).</param>
    /// <param name="scores">Receives one raw score per row.</param>
    /// <param name="cancellationToken">Stops the work where the engine allows it.</param>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    void ScoreBatch(ReadOnlySpan<float> features, Span<float> scores, CancellationToken cancellationToken);
}

/// <summary>Options for an inference engine.</summary>
public sealed class ModelRuntimeOptions
{
    /// <summary>Gets or sets the number of threads one inference may use.</summary>
    /// <value>The default is 1, fastest for single rows and friendly to a host serving many requests.</value>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Gets or sets the number of threads batch inference may use; 0 lets the engine decide.</summary>
    /// <value>The default is 0.</value>
    public int BatchIntraOpThreads { get; set; }

    /// <summary>Gets or sets whether idle engine threads spin waiting for work.</summary>
    /// <value>The default is <see langword="false"/>: no busy-waiting in a host process.</value>
    public bool AllowSpinning { get; set; }
}

/// <summary>Creates model predictors from <see cref="ModelOptions"/>. Registered by the runtime packages.</summary>
public interface IModelPredictorFactory
{
    /// <summary>Creates a predictor for one configured model. The predictor loads lazily or in the background and never throws for a missing or broken model; it reports <see cref="ModelNotLoadedException"/> instead.</summary>
    /// <param name="options">The model's options.</param>
    /// <returns>The predictor, which the caller owns and disposes.</returns>
    /// <exception cref="InvalidOperationException">No registered runtime can load the model's format.</exception>
    IQualityPredictor Create(ModelOptions options);
}

/// <summary>Thrown by a model predictor asked to predict while it has no model loaded.</summary>
public sealed class ModelNotLoadedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelNotLoadedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ModelNotLoadedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the load error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">Why the model is not loaded.</param>
    public ModelNotLoadedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
