using QualityPrediction.Models;
using QualityPrediction.Trees.Internal.Scoring;

namespace QualityPrediction.Trees.Internal;

/// <summary>
/// A compiled tree graph behind <see cref="IScoringModel"/>. It holds no native resources and no mutable state: rows
/// are transformed on the stack, so every thread scores concurrently without locks or allocation.
/// </summary>
internal sealed class TreeScoringModel : IScoringModel
{
    private const int StackWidth = 512;
    private const int ParallelMinimumRows = 256;
    private const int ParallelChunkRows = 128;

    private readonly TreeGraph _graph;
    private readonly int _batchThreads;
    private int _disposed;

    public TreeScoringModel(TreeGraph graph, int batchThreads)
    {
        _graph = graph;
        _batchThreads = batchThreads;
        InputLength = graph.InputWidth;
    }

    public int InputLength { get; }

    public TreeGraph Graph => _graph;

    public float Score(ReadOnlySpan<float> features, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (features.Length != InputLength)
        {
            throw new ArgumentException($"The model takes {InputLength} values, not {features.Length}.", nameof(features));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_graph.FeatureSteps.Length == 0)
        {
            return Finish(_graph.Ensemble.Score(features));
        }

        var width = _graph.MaxWidth;
        var scratch = width <= StackWidth ? stackalloc float[2 * width] : new float[2 * width];
        return Finish(_graph.Ensemble.Score(Transform(features, scratch, width)));
    }

    public void ScoreBatch(ReadOnlySpan<float> features, Span<float> scores, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (features.Length != scores.Length * InputLength)
        {
            throw new ArgumentException($"{scores.Length} rows need {scores.Length * InputLength} values, not {features.Length}.", nameof(features));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var rows = scores.Length;
        if (_batchThreads > 1 && rows >= ParallelMinimumRows)
        {
            ScoreParallel(features, scores, cancellationToken);
            return;
        }

        for (var start = 0; start < rows; start += ParallelChunkRows * 8)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(ParallelChunkRows * 8, rows - start);
            ScoreChunk(features.Slice(start * InputLength, count * InputLength), scores.Slice(start, count));
        }
    }

    public void Dispose() => Interlocked.Exchange(ref _disposed, 1);

    private unsafe void ScoreParallel(ReadOnlySpan<float> features, Span<float> scores, CancellationToken cancellationToken)
    {
        // Spans cannot enter a lambda: the caller's buffers are pinned for the duration of the parallel loop.
        var rows = scores.Length;
        var chunks = (rows + ParallelChunkRows - 1) / ParallelChunkRows;
        var width = InputLength;
        fixed (float* input = features)
        fixed (float* output = scores)
        {
            var inputAddress = (nint)input;
            var outputAddress = (nint)output;
            Parallel.For(
                0,
                chunks,
                new ParallelOptions { MaxDegreeOfParallelism = _batchThreads, CancellationToken = cancellationToken },
                chunk =>
                {
                    var start = chunk * ParallelChunkRows;
                    var count = Math.Min(ParallelChunkRows, rows - start);
                    var source = new ReadOnlySpan<float>((float*)inputAddress + ((long)start * width), count * width);
                    var target = new Span<float>((float*)outputAddress + start, count);
                    ScoreChunk(source, target);
                });
        }
    }

    private void ScoreChunk(ReadOnlySpan<float> features, Span<float> scores)
    {
        if (_graph.FeatureSteps.Length == 0)
        {
            _graph.Ensemble.ScoreBatch(features, scores);
        }
        else
        {
            // Feature steps are cheap next to the trees; rows go through them one at a time into a chunk buffer.
            var width = _graph.MaxWidth;
            var ensembleWidth = _graph.Ensemble.Definition.InputWidth;
            var transformed = new float[scores.Length * ensembleWidth];
            var scratch = width <= StackWidth ? stackalloc float[2 * width] : new float[2 * width];
            for (var r = 0; r < scores.Length; r++)
            {
                Transform(features.Slice(r * InputLength, InputLength), scratch, width).CopyTo(transformed.AsSpan(r * ensembleWidth, ensembleWidth));
            }

            _graph.Ensemble.ScoreBatch(transformed, scores);
        }

        if (_graph.ScoreSteps.Length > 0)
        {
            for (var r = 0; r < scores.Length; r++)
            {
                scores[r] = Finish(scores[r]);
            }
        }
    }

    private ReadOnlySpan<float> Transform(ReadOnlySpan<float> features, Span<float> scratch, int width)
    {
        var a = scratch[..width];
        var b = scratch.Slice(width, width);
        var current = features;
        foreach (var step in _graph.FeatureSteps)
        {
            step.Apply(current, a);
            current = a[..step.OutputWidth];
            var swap = a;
            a = b;
            b = swap;
        }

        return current;
    }

    private float Finish(float score)
    {
        if (_graph.ScoreSteps.Length == 0)
        {
            return score;
        }

        Span<float> a = [score];
        Span<float> b = [0f];
        foreach (var step in _graph.ScoreSteps)
        {
            step.Apply(a, b);
            var swap = a;
            a = b;
            b = swap;
        }

        return a[0];
    }
}
