using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using QualityPrediction.Heuristics;
using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Onnx;

namespace QualityPrediction.Benchmarks;

/// <summary>ONNX Runtime called directly, the fastest ways we know: preallocated OrtValues, IoBinding, one batch tensor.</summary>
public sealed class RawOnnx : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly int _width;

    /// <param name="rows">Rows per run (1 for single-row scoring, 1024 for the batch baseline).</param>
    /// <param name="intraOpThreads">ONNX Runtime intra-op threads; 0 lets it decide.</param>
    public RawOnnx(string path, string inputName, string outputName, int width, int rows, int intraOpThreads)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(path, options);
        _width = width;
        _inputNames = [inputName];
        _outputNames = [outputName];
        _input = new float[rows * width];
        _output = new float[rows];
        var rank = _session.OutputMetadata[outputName].Dimensions.Length;
        _inputs = [OrtValue.CreateTensorValueFromMemory(_input, [rows, width])];
        _outputs = [OrtValue.CreateTensorValueFromMemory(_output, rank == 1 ? [rows] : [rows, 1])];
        _binding = _session.CreateIoBinding();
        _binding.BindInput(inputName, _inputs[0]);
        _binding.BindOutput(outputName, _outputs[0]);
    }

    public float[] Input => _input;

    public float[] Output => _output;

    /// <summary>Copies one encoded row in and runs through the IoBinding.</summary>
    public float ScoreIoBinding(float[] row)
    {
        row.AsSpan().CopyTo(_input);
        _session.RunWithBinding(_runOptions, _binding);
        return _output[0];
    }

    /// <summary>Copies one encoded row in and runs with the preallocated OrtValues.</summary>
    public float ScoreOrtValue(float[] row)
    {
        row.AsSpan().CopyTo(_input);
        _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
        return _output[0];
    }

    /// <summary>The convenient, allocating way: a new tensor and NamedOnnxValue per call.</summary>
    public float ScoreNamedOnnxValue(float[] row)
    {
        var tensor = new DenseTensor<float>(row.AsMemory(), [1, _width]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputNames[0], tensor)], _outputNames);
        return results[0].AsEnumerable<float>().First();
    }

    /// <summary>Runs the whole preallocated batch (the caller fills <see cref="Input"/>).</summary>
    public void RunBatch() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    public void Dispose()
    {
        _binding.Dispose();
        _inputs[0].Dispose();
        _outputs[0].Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}

/// <summary>ML.NET called directly: one PredictionEngine reused on one thread, and Transform over an IDataView.</summary>
public sealed class RawMLNet : IDisposable
{
    private readonly MLContext _context = new(seed: 0);
    private readonly ITransformer _model;
    private readonly SchemaDefinition _inputSchema;
    private readonly PredictionEngine<InputRow, OutputRow> _engine;
    private readonly InputRow _row;
    private OutputRow _out = new();

    public RawMLNet(string path, string inputName, int width)
    {
        _model = _context.Model.Load(path, out _);
        _inputSchema = SchemaDefinition.Create(typeof(InputRow), SchemaDefinition.Direction.Read);
        _inputSchema[0].ColumnName = inputName;
        _inputSchema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        _engine = _context.Model.CreatePredictionEngine<InputRow, OutputRow>(_model, ignoreMissingColumns: true, _inputSchema);
        _row = new InputRow { Features = new float[width] };
    }

    public float Score(float[] row)
    {
        row.AsSpan().CopyTo(_row.Features);
        _engine.Predict(_row, ref _out);
        return _out.Score;
    }

    public IDataView View(IEnumerable<float[]> rows) =>
        _context.Data.LoadFromEnumerable(rows.Select(r => new InputRow { Features = r }).ToList(), _inputSchema);

    /// <summary>Transform over the view and read every score.</summary>
    public void Transform(IDataView view, float[] scores)
    {
        var scored = _model.Transform(view);
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        var i = 0;
        float value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            scores[i++] = value;
        }
    }

    public void Dispose()
    {
        _engine.Dispose();
        (_model as IDisposable)?.Dispose();
    }

    public sealed class InputRow
    {
        public float[] Features { get; set; } = [];
    }

    public sealed class OutputRow
    {
        public float Score { get; set; }
    }
}

/// <summary>Our API, built the way a host builds it.</summary>
public static class Ours
{
    /// <summary>A model predictor alone (no ensemble) on a standalone catalog, loaded and warm.</summary>
    public static StandaloneModel ModelPredictor(string runtime, string? manifestPath = null)
    {
        IModelRuntime engine = runtime switch
        {
            "onnx" => new OnnxModelRuntime(),
            "trees" => new QualityPrediction.Trees.TreeModelRuntime(),
            _ => new MLNetModelRuntime(),
        };
        var catalog = StandaloneModelCatalog.LoadAsync([new ModelOptions { Name = Fixture.ModelName, Path = manifestPath ?? Fixture.ManifestPath, Runtime = runtime, WatchForChanges = false }], [engine]).GetAwaiter().GetResult();
        var status = catalog.GetStatus(Fixture.ModelName);
        if (status.State != ModelLoadState.Loaded)
        {
            catalog.Dispose();
            throw new InvalidOperationException($"The {runtime} model did not load: {status.LastError}");
        }

        return new StandaloneModel(catalog, new ModelPredictor(catalog, Fixture.ModelName));
    }

    /// <summary>
    /// The default composed predictor through AddQualityPrediction: the model, then the rule heuristic as fallback, Polly
    /// pipeline, metrics on (IMeterFactory from the host), logging at Information to a counting provider.
    /// </summary>
    public static IHost ComposedHost(string runtime, Action<QualityPrediction.DependencyInjection.IQualityPredictionBuilder>? extra = null, Action<string>? mark = null, bool circuitBreaker = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddMetrics();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Information).AddProvider(new CountingLoggerProvider());
        var qp = builder.Services.AddQualityPrediction(o =>
        {
            o.MinScore = 3;
            o.MaxScore = 9;
            o.Tolerance = 0.5;
            o.Heuristic.Mode = HeuristicMode.Rules;
            o.Heuristic.Rules.BaseScore = 6;
            o.Heuristic.Rules.IntervalHalfWidth = 1.5;
            o.Ensemble.CircuitBreaker.Enabled = circuitBreaker;
        });
        _ = runtime switch
        {
            "onnx" => qp.AddOnnxModel(Fixture.ModelName, Fixture.ManifestPath, m => m.WatchForChanges = false),
            "trees" => qp.AddTreeModel(Fixture.ModelName, Fixture.ManifestPath, m => m.WatchForChanges = false),
            _ => qp.AddMLNetModel(Fixture.ModelName, Fixture.ManifestPath, m => m.WatchForChanges = false),
        };
        extra?.Invoke(qp);
        var host = builder.Build();
        mark?.Invoke("host built");
        host.StartAsync().GetAwaiter().GetResult();
        mark?.Invoke("host started");
        return host;
    }

    /// <summary>Waits until the composed predictor answers from the model (not the fallback).</summary>
    public static IQualityPredictor WarmComposed(IHost host, PredictionContext context)
    {
        var predictor = host.Services.GetRequiredService<IQualityPredictor>();
        for (var i = 0; i < 600; i++)
        {
            var result = predictor.PredictAsync(context).AsTask().GetAwaiter().GetResult();
            if (result.Source == PredictionSource.Model)
            {
                return predictor;
            }

            Thread.Sleep(50);
        }

        throw new InvalidOperationException("The composed predictor never answered from the model.");
    }

    /// <summary>A fitted heuristic (provider → model baselines, action-type factor) on generated outcomes.</summary>
    public static FittedHeuristicPredictor FittedHeuristic()
    {
        var (contexts, targets) = Fixture.Outcomes(5000, 7);
        var model = FittedHeuristicModel.Fit(contexts, targets, new HeuristicFitOptions(), new ScoreRange(0, 100), 5);
        return new FittedHeuristicPredictor(model);
    }
}

/// <summary>A logger provider enabled at Information that only counts messages (logging on, without console noise).</summary>
public sealed class CountingLoggerProvider : ILoggerProvider
{
    private static long _count;

    public static long Count => Interlocked.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => new CountingLogger();

    public void Dispose()
    {
    }

    private sealed class CountingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}

/// <summary>A MeterListener on the QualityPrediction meter that aggregates every measurement (what an exporter costs at least).</summary>
public sealed class QualityMeterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private double _sum;
    private long _count;

    public QualityMeterListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "QualityPrediction")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) => { _sum += value; _count++; });
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => { _sum += value; _count++; });
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) => { _sum += value; _count++; });
        _listener.Start();
    }

    public long Count => _count;

    public void Dispose() => _listener.Dispose();
}

/// <summary>A <see cref="ModelPredictor"/> with the catalog that owns its model (disposed together).</summary>
/// <param name="Catalog">The catalog.</param>
/// <param name="Predictor">The predictor.</param>
public sealed record StandaloneModel(StandaloneModelCatalog Catalog, ModelPredictor Predictor) : IDisposable
{
    /// <summary>Gets the model's status.</summary>
    public ModelStatus Status => Predictor.Status;

    /// <summary>Predicts with the predictor.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The result.</returns>
    public QualityPredictionResult Predict(PredictionContext context) => Predictor.Predict(context);

    /// <summary>Predicts a batch with the predictor.</summary>
    /// <param name="contexts">The contexts.</param>
    /// <param name="results">The results.</param>
    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results) => Predictor.PredictBatch(contexts, results);

    /// <summary>Predicts asynchronously with the predictor.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The result.</returns>
    public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context) => Predictor.PredictAsync(context);

    /// <inheritdoc />
    public void Dispose() => Catalog.Dispose();
}
