using BenchmarkDotNet.Attributes;
using QualityPrediction.Models;

namespace QualityPrediction.Benchmarks;

/// <summary>Budget 1 and 4: our ONNX model predictor against ONNX Runtime called directly, one row at a time, warm.</summary>
[MemoryDiagnoser]
public class OnnxSingleRowBenchmarks
{
    private Fixture.Data _data = null!;
    private RawOnnx _raw = null!;
    private StandaloneModel _ours = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _data = Fixture.Load();
        _raw = new RawOnnx(Fixture.OnnxPath, _data.Manifest.InputName, _data.OnnxOutputName, _data.Width, rows: 1, intraOpThreads: 1);
        _ours = QualityPrediction.Benchmarks.Ours.ModelPredictor("onnx");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _ours.Dispose();
    }

    private int Next() => _i = (_i + 1) % _data.Vectors.Length;

    [Benchmark(Baseline = true, Description = "raw ORT IoBinding")]
    public float RawIoBinding() => _raw.ScoreIoBinding(_data.Vectors[Next()]);

    [Benchmark(Description = "raw ORT OrtValue")]
    public float RawOrtValue() => _raw.ScoreOrtValue(_data.Vectors[Next()]);

    [Benchmark(Description = "raw ORT NamedOnnxValue")]
    public float RawNamedOnnxValue() => _raw.ScoreNamedOnnxValue(_data.Vectors[Next()]);

    [Benchmark(Description = "ours ModelPredictor onnx")]
    public QualityPredictionResult Ours() => _ours.Predict(_data.Contexts[Next()]);
}

/// <summary>Budget 1 and 4: our ML.NET model predictor against a PredictionEngine reused on one thread.</summary>
[MemoryDiagnoser]
public class MLNetSingleRowBenchmarks
{
    private Fixture.Data _data = null!;
    private RawMLNet _raw = null!;
    private StandaloneModel _ours = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _data = Fixture.Load();
        _raw = new RawMLNet(Fixture.ZipPath, _data.Manifest.InputName, _data.Width);
        _ours = QualityPrediction.Benchmarks.Ours.ModelPredictor("mlnet");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _ours.Dispose();
    }

    private int Next() => _i = (_i + 1) % _data.Vectors.Length;

    [Benchmark(Baseline = true, Description = "raw ML.NET PredictionEngine")]
    public float Raw() => _raw.Score(_data.Vectors[Next()]);

    [Benchmark(Description = "ours ModelPredictor mlnet")]
    public QualityPredictionResult Ours() => _ours.Predict(_data.Contexts[Next()]);
}

/// <summary>Budget 3 and 4: the fitted heuristic, the rule heuristic, and the cost of allocating the result alone.</summary>
[MemoryDiagnoser]
public class HeuristicBenchmarks
{
    private PredictionContext[] _contexts = null!;
    private QualityPrediction.Heuristics.FittedHeuristicPredictor _fitted = null!;
    private QualityPrediction.Heuristics.RuleBasedHeuristicPredictor _rules = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _contexts = Fixture.Outcomes(1024, 11).Contexts;
        _fitted = QualityPrediction.Benchmarks.Ours.FittedHeuristic();
        var rules = new QualityPrediction.Heuristics.HeuristicRules { BaseScore = 70 };
        rules.Adjustments["provider"] = new Dictionary<string, double> { ["openai"] = 5, ["anthropic"] = 6 };
        _rules = new QualityPrediction.Heuristics.RuleBasedHeuristicPredictor(rules, new ScoreRange(0, 100), 5, TimeProvider.System);
    }

    private readonly EnsembleMemberResult _skipped = new("heuristic", null, 1, MemberStatus.Skipped, null, PredictionSource.Heuristic);

    private int Next() => _i = (_i + 1) & 1023;

    /// <summary>The floor: allocating the result record and reading the clock, nothing else.</summary>
    [Benchmark(Baseline = true, Description = "result allocation only")]
    public QualityPredictionResult ResultOnly() => new()
    {
        Score = 50 + Next(),
        Confidence = 0.5,
        Source = PredictionSource.Heuristic,
        ModelName = "heuristic",
        Timestamp = TimeProvider.System.GetUtcNow(),
    };

    /// <summary>The floor for an ensemble's answer: the result, its two-member list and the answering member's entry (the skipped member's entry is shared).</summary>
    [Benchmark(Description = "ensemble result allocation only")]
    public QualityPredictionResult EnsembleResultOnly() => new()
    {
        Score = 50 + Next(),
        Confidence = 0.5,
        Source = PredictionSource.Model,
        ModelName = "model",
        Timestamp = TimeProvider.System.GetUtcNow(),
        Members = [new EnsembleMemberResult("model", 50, 1, MemberStatus.Ok, null, PredictionSource.Model, "v1", 0.5), _skipped],
    };

    [Benchmark(Description = "ours fitted heuristic")]
    public QualityPredictionResult Fitted() => _fitted.Predict(_contexts[Next()]);

    [Benchmark(Description = "ours rule heuristic")]
    public QualityPredictionResult Rules() => _rules.Predict(_contexts[Next()]);
}
