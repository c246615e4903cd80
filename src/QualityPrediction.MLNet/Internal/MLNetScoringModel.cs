using System.Collections.Concurrent;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using QualityPrediction.Models;

namespace QualityPrediction.MLNet.Internal;

/// <summary>An ML.NET transformer with a pool of prediction engines (each used by one thread at a time).</summary>
internal sealed class MLNetScoringModel : IScoringModel
{
    private const int BatchChunkRows = 4096;

    private readonly MLContext _context;
    private readonly ITransformer _model;
    private readonly SchemaDefinition _inputSchema;
    private readonly ObjectPool<Engine> _engines;

    // Batch input rows with preallocated feature arrays, reused across calls (one set per concurrent caller), so a
    // batch copies features into them instead of allocating an array and a row object per row.
    private readonly ConcurrentBag<InputRow[]> _batchRows = [];
    private int _disposed;

    public MLNetScoringModel(MLContext context, ITransformer model, string inputName, int inputLength, string file)
    {
        _context = context;
        _model = model;
        InputLength = inputLength;
        _inputSchema = SchemaDefinition.Create(typeof(InputRow), SchemaDefinition.Direction.Read);
        _inputSchema[0].ColumnName = inputName;
        _inputSchema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputLength);
        var outputSchema = SchemaDefinition.Create(typeof(OutputRow), SchemaDefinition.Direction.Write);
        try
        {
            // Create one engine now: a model that cannot build an engine is refused at load, not on the first prediction.
            var first = new Engine(context.Model.CreatePredictionEngine<InputRow, OutputRow>(model, ignoreMissingColumns: true, _inputSchema, outputSchema), inputLength);
            _engines = new DefaultObjectPoolProvider { MaximumRetained = Math.Max(2, Environment.ProcessorCount * 2) }
                .Create(new EnginePolicy(() => new Engine(context.Model.CreatePredictionEngine<InputRow, OutputRow>(model, ignoreMissingColumns: true, _inputSchema, outputSchema), inputLength)));
            _engines.Return(first);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ModelLoadException(file, $"ML.NET cannot create a prediction engine for the model: {ex.Message}", ex);
        }
    }

    public int InputLength { get; }

    public float Score(ReadOnlySpan<float> features, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (features.Length != InputLength)
        {
            throw new ArgumentException($"The model takes {InputLength} values, not {features.Length}.", nameof(features));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var engine = _engines.Get();
        try
        {
            features.CopyTo(engine.Input.Features);
            engine.PredictionEngine.Predict(engine.Input, ref engine.Output);
            return engine.Output.Score;
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    public void ScoreBatch(ReadOnlySpan<float> features, Span<float> scores, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (features.Length != scores.Length * InputLength)
        {
            throw new ArgumentException($"{scores.Length} rows need {scores.Length * InputLength} values, not {features.Length}.", nameof(features));
        }

        var rows = RentRows(Math.Min(BatchChunkRows, scores.Length));
        try
        {
            for (var start = 0; start < scores.Length; start += BatchChunkRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(BatchChunkRows, scores.Length - start);
                ScoreChunk(features.Slice(start * InputLength, count * InputLength), scores.Slice(start, count), rows, count);
            }
        }
        finally
        {
            _batchRows.Add(rows);
        }
    }

    private void ScoreChunk(ReadOnlySpan<float> features, Span<float> scores, InputRow[] rows, int count)
    {
        for (var i = 0; i < count; i++)
        {
            features.Slice(i * InputLength, InputLength).CopyTo(rows[i].Features);
        }

        IEnumerable<InputRow> source = count == rows.Length ? rows : new ArraySegment<InputRow>(rows, 0, count);
        var scored = _model.Transform(_context.Data.LoadFromEnumerable(source, _inputSchema));
        var column = scored.Schema[MLNetModelRuntime.ScoreColumn];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        var written = 0;
        float value = 0;
        while (written < count && cursor.MoveNext())
        {
            getter(ref value);
            scores[written] = value;
            written++;
        }

        if (written != count)
        {
            throw new InvalidOperationException($"The ML.NET model returned {written} scores for {count} rows.");
        }
    }

    private InputRow[] RentRows(int count)
    {
        if (_batchRows.TryTake(out var rows) && rows.Length >= count)
        {
            return rows;
        }

        var grown = new InputRow[count];
        for (var i = 0; i < count; i++)
        {
            grown[i] = rows is not null && i < rows.Length ? rows[i] : new InputRow { Features = new float[InputLength] };
        }

        return grown;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        (_engines as IDisposable)?.Dispose();
        (_model as IDisposable)?.Dispose();
    }

    /// <summary>The input row: the encoded feature vector (its column name and size are set at run time through a schema definition).</summary>
    internal sealed class InputRow
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>The output row: the score.</summary>
    internal sealed class OutputRow
    {
        public float Score { get; set; }
    }

    private sealed class Engine : IDisposable
    {
        public OutputRow Output = new();

        public Engine(PredictionEngine<InputRow, OutputRow> engine, int inputLength)
        {
            PredictionEngine = engine;
            Input = new InputRow { Features = new float[inputLength] };
        }

        public PredictionEngine<InputRow, OutputRow> PredictionEngine { get; }

        public InputRow Input { get; }

        public void Dispose() => PredictionEngine.Dispose();
    }

    private sealed class EnginePolicy(Func<Engine> create) : IPooledObjectPolicy<Engine>
    {
        public Engine Create() => create();

        public bool Return(Engine obj) => true;
    }
}
