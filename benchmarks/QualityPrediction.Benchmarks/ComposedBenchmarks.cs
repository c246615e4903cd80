using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Hosting;

namespace QualityPrediction.Benchmarks;

/// <summary>
/// Budget 2: the default composed predictor (AddQualityPrediction: model + rule heuristic fallback, member timeout,
/// Polly circuit breaker, metrics on, logging at Information) against the raw engine; the same with the breaker off
/// (what the breaker costs) and with a MeterListener on our meter.
/// </summary>
[MemoryDiagnoser]
public class ComposedBenchmarks
{
    private Fixture.Data _data = null!;
    private RawOnnx? _rawOnnx;
    private RawMLNet? _rawMLNet;
    private IHost _host = null!;
    private IQualityPredictor _composed = null!;
    private QualityMeterListener? _listener;
    private int _i;

    [Params("onnx", "mlnet")]
    public string Runtime { get; set; } = "onnx";

    private void Common(bool circuitBreaker = true)
    {
        _data = Fixture.Load();
        if (Runtime == "onnx")
        {
            _rawOnnx = new RawOnnx(Fixture.OnnxPath, _data.Manifest.InputName, _data.OnnxOutputName, _data.Width, rows: 1, intraOpThreads: 1);
        }
        else
        {
            _rawMLNet = new RawMLNet(Fixture.ZipPath, _data.Manifest.InputName, _data.Width);
        }

        _host = QualityPrediction.Benchmarks.Ours.ComposedHost(Runtime, circuitBreaker: circuitBreaker);
        _composed = QualityPrediction.Benchmarks.Ours.WarmComposed(_host, _data.Contexts[0]);
    }

    [GlobalSetup(Targets = new[] { nameof(Raw), nameof(Composed), nameof(ComposedAsync) })]
    public void Setup() => Common();

    [GlobalSetup(Target = nameof(ComposedWithoutBreaker))]
    public void SetupWithoutBreaker() => Common(circuitBreaker: false);

    [GlobalSetup(Target = nameof(ComposedWithListener))]
    public void SetupWithListener()
    {
        Common();
        _listener = new QualityMeterListener();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _listener = null;
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        _rawOnnx?.Dispose();
        _rawMLNet?.Dispose();
    }

    private int Next() => _i = (_i + 1) % _data.Vectors.Length;

    [Benchmark(Baseline = true, Description = "raw engine (IoBinding / PredictionEngine)")]
    public float Raw() => _rawOnnx is { } onnx ? onnx.ScoreIoBinding(_data.Vectors[Next()]) : _rawMLNet!.Score(_data.Vectors[Next()]);

    [Benchmark(Description = "ours composed Predict")]
    public QualityPredictionResult Composed() => _composed.Predict(_data.Contexts[Next()]);

    [Benchmark(Description = "ours composed PredictAsync")]
    public QualityPredictionResult ComposedAsync()
    {
        var task = _composed.PredictAsync(_data.Contexts[Next()]);
        return task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "ours composed Predict, circuit breaker off")]
    public QualityPredictionResult ComposedWithoutBreaker() => _composed.Predict(_data.Contexts[Next()]);

    [Benchmark(Description = "ours composed Predict + MeterListener")]
    public QualityPredictionResult ComposedWithListener() => _composed.Predict(_data.Contexts[Next()]);
}

/// <summary>Budget 5 (and 4 for batches): 1024 rows through our batch API against the raw batch call, per row.</summary>
[MemoryDiagnoser]
public class BatchBenchmarks
{
    public const int Rows = 1024;
    private Fixture.Data _data = null!;
    private RawOnnx? _rawOnnx;
    private RawMLNet? _rawMLNet;
    private Microsoft.ML.IDataView? _view;
    private StandaloneModel _ours = null!;
    private float[] _flat = null!;
    private float[] _scores = null!;
    private PredictionContext[] _contexts = null!;
    private QualityPredictionResult[] _results = null!;

    [Params("onnx", "mlnet")]
    public string Runtime { get; set; } = "onnx";

    [GlobalSetup]
    public void Setup()
    {
        _data = Fixture.Load();
        _contexts = _data.Contexts[..Rows];
        _results = new QualityPredictionResult[Rows];
        _scores = new float[Rows];
        _flat = new float[Rows * _data.Width];
        for (var i = 0; i < Rows; i++)
        {
            _data.Vectors[i].CopyTo(_flat, i * _data.Width);
        }

        if (Runtime == "onnx")
        {
            // Default intra-op threads, as our batch session uses (ModelRuntimeOptions.BatchIntraOpThreads = 0).
            _rawOnnx = new RawOnnx(Fixture.OnnxPath, _data.Manifest.InputName, _data.OnnxOutputName, _data.Width, Rows, intraOpThreads: 0);
        }
        else
        {
            _rawMLNet = new RawMLNet(Fixture.ZipPath, _data.Manifest.InputName, _data.Width);
            _view = _rawMLNet.View(_data.Vectors[..Rows]);
        }

        _ours = QualityPrediction.Benchmarks.Ours.ModelPredictor(Runtime);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rawOnnx?.Dispose();
        _rawMLNet?.Dispose();
        _ours.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "raw batch (ORT [1024 x D] / ML.NET Transform)")]
    public float Raw()
    {
        if (_rawOnnx is { } onnx)
        {
            _flat.AsSpan().CopyTo(onnx.Input);
            onnx.RunBatch();
            return onnx.Output[Rows - 1];
        }

        _rawMLNet!.Transform(_view!, _scores);
        return _scores[Rows - 1];
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "ours ModelPredictor.PredictBatch")]
    public QualityPredictionResult Ours()
    {
        _ours.PredictBatch(_contexts, _results);
        return _results[Rows - 1];
    }
}
