namespace QualityPrediction.Models;

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
