using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Hosting;
using QualityPrediction.Models;

namespace QualityPrediction.Benchmarks;

/// <summary>
/// Issue 17, single row: the managed tree runtime against ONNX Runtime (IoBinding, the baseline) and ML.NET's
/// PredictionEngine on the same encoded rows, for 100, 500 and 2,000 trees; and our ModelPredictor over the tree
/// runtime, which starts from a context (encoding, result).
/// </summary>
[MemoryDiagnoser]
public class TreesSingleRowBenchmarks
{
    private Fixture.Data _data = null!;
    private RawOnnx _rawOnnx = null!;
    private RawMLNet _rawMLNet = null!;
    private IScoringModel _trees = null!;
    private StandaloneModel _ours = null!;
    private int _i;

    [Params(100, 500, 2000)]
    public int Trees { get; set; } = 100;

    [GlobalSetup]
    public void Setup()
    {
        _data = Fixture.Load();
        _rawOnnx = new RawOnnx(TreesFixture.OnnxPath(Trees), _data.Manifest.InputName, TreesFixture.OutputName(Trees), _data.Width, rows: 1, intraOpThreads: 1);
        _rawMLNet = new RawMLNet(TreesFixture.ZipPath(Trees), _data.Manifest.InputName, _data.Width);
        _trees = TreesFixture.ScoringModel(Trees);
        _ours = QualityPrediction.Benchmarks.Ours.ModelPredictor("trees", TreesFixture.ManifestPath(Trees));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rawOnnx.Dispose();
        _rawMLNet.Dispose();
        _trees.Dispose();
        _ours.Dispose();
    }

    private int Next() => _i = (_i + 1) % _data.Vectors.Length;

    [Benchmark(Baseline = true, Description = "raw ORT IoBinding")]
    public float RawOnnx() => _rawOnnx.ScoreIoBinding(_data.Vectors[Next()]);

    [Benchmark(Description = "raw ML.NET PredictionEngine")]
    public float RawMLNet() => _rawMLNet.Score(_data.Vectors[Next()]);

    [Benchmark(Description = "trees IScoringModel.Score")]
    public float Trees_() => _trees.Score(_data.Vectors[Next()], CancellationToken.None);

    [Benchmark(Description = "ours ModelPredictor trees")]
    public QualityPredictionResult Ours() => _ours.Predict(_data.Contexts[Next()]);
}

/// <summary>Issue 17, composed: the default composed predictor over the tree runtime against the tree runtime alone (100 trees).</summary>
[MemoryDiagnoser]
public class TreesComposedBenchmarks
{
    private Fixture.Data _data = null!;
    private IScoringModel _trees = null!;
    private StandaloneModel _predictor = null!;
    private IHost _host = null!;
    private IQualityPredictor _composed = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _data = Fixture.Load();
        _trees = TreesFixture.ScoringModel(100);
        _predictor = QualityPrediction.Benchmarks.Ours.ModelPredictor("trees");
        _host = QualityPrediction.Benchmarks.Ours.ComposedHost("trees");
        _composed = QualityPrediction.Benchmarks.Ours.WarmComposed(_host, _data.Contexts[0]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        _predictor.Dispose();
        _trees.Dispose();
    }

    private int Next() => _i = (_i + 1) % _data.Vectors.Length;

    [Benchmark(Baseline = true, Description = "trees IScoringModel.Score (encoded row)")]
    public float Trees() => _trees.Score(_data.Vectors[Next()], CancellationToken.None);

    [Benchmark(Description = "ours ModelPredictor trees")]
    public QualityPredictionResult Predictor() => _predictor.Predict(_data.Contexts[Next()]);

    [Benchmark(Description = "ours composed trees Predict")]
    public QualityPredictionResult Composed() => _composed.Predict(_data.Contexts[Next()]);
}

/// <summary>Issue 17, batch: 1,024 rows through the tree runtime against one [1024 × D] ONNX Runtime call (default intra-op threads), per row.</summary>
[MemoryDiagnoser]
public class TreesBatchBenchmarks
{
    public const int Rows = 1024;
    private Fixture.Data _data = null!;
    private RawOnnx _rawOnnx = null!;
    private IScoringModel _trees = null!;
    private IScoringModel _treesOneThread = null!;
    private StandaloneModel _ours = null!;
    private float[] _flat = null!;
    private float[] _scores = null!;
    private PredictionContext[] _contexts = null!;
    private QualityPredictionResult[] _results = null!;

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

        _rawOnnx = new RawOnnx(Fixture.OnnxPath, _data.Manifest.InputName, _data.OnnxOutputName, _data.Width, Rows, intraOpThreads: 0);
        _trees = TreesFixture.ScoringModel(100, batchThreads: 0);
        _treesOneThread = TreesFixture.ScoringModel(100, batchThreads: 1);
        _ours = QualityPrediction.Benchmarks.Ours.ModelPredictor("trees");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rawOnnx.Dispose();
        _trees.Dispose();
        _treesOneThread.Dispose();
        _ours.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "raw ORT batch [1024 x D]")]
    public float Raw()
    {
        _flat.AsSpan().CopyTo(_rawOnnx.Input);
        _rawOnnx.RunBatch();
        return _rawOnnx.Output[Rows - 1];
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "trees ScoreBatch (threads: processors)")]
    public float Trees()
    {
        _trees.ScoreBatch(_flat, _scores, CancellationToken.None);
        return _scores[Rows - 1];
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "trees ScoreBatch (1 thread)")]
    public float TreesOneThread()
    {
        _treesOneThread.ScoreBatch(_flat, _scores, CancellationToken.None);
        return _scores[Rows - 1];
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "ours ModelPredictor trees PredictBatch")]
    public QualityPredictionResult Ours()
    {
        _ours.PredictBatch(_contexts, _results);
        return _results[Rows - 1];
    }
}
