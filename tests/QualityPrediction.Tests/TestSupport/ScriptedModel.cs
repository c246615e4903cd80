using QualityPrediction;

namespace QualityPrediction.Tests.TestSupport;

/// <summary>
/// A fault-injecting stand-in for a model member: answers a fixed score, or throws <see cref="Fault"/>, or blocks on
/// its cancellation token (to exercise timeouts). Counts its calls and records whether it saw cancellation.
/// </summary>
internal sealed class ScriptedModel(string name, double score = 80, double confidence = 0.8) : IQualityPredictor, IDisposable
{
    private int _calls;
    private int _batchCalls;

    public string Name => name;

    public Exception? Fault { get; set; }

    public Func<PredictionContext, Exception?>? FaultFor { get; set; }

    public bool BlockUntilCancelled { get; set; }

    public bool FailBatch { get; set; }

    public volatile bool ObservedCancellation;

    public int Calls => Volatile.Read(ref _calls);

    public int BatchCalls => Volatile.Read(ref _batchCalls);

    public bool Disposed { get; private set; }

    public QualityPredictionResult Predict(PredictionContext context) => PredictCore(context, CancellationToken.None);

    public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(PredictCore(context, cancellationToken));

    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _batchCalls);
        if (FailBatch)
        {
            throw new InvalidOperationException("batch engine failure");
        }

        for (var i = 0; i < contexts.Length; i++)
        {
            results[i] = Answer(contexts[i]);
        }
    }

    public void Dispose() => Disposed = true;

    private QualityPredictionResult PredictCore(PredictionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        Interlocked.Increment(ref _calls);
        if (BlockUntilCancelled)
        {
            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
            ObservedCancellation = cancellationToken.IsCancellationRequested;
            cancellationToken.ThrowIfCancellationRequested();
        }

        if ((FaultFor?.Invoke(context) ?? Fault) is { } fault)
        {
            throw fault;
        }

        return Answer(context);
    }

    private QualityPredictionResult Answer(PredictionContext context) => new()
    {
        Score = score,
        Confidence = confidence,
        ConfidenceKind = ConfidenceKind.Calibrated,
        Interval = new PredictionInterval(score - 10, score + 10, 0.9),
        Source = PredictionSource.Model,
        ModelName = name,
        ModelVersion = "v1",
        Basis = context.TryGetCategory("model", out var model) ? model : null,
    };
}
