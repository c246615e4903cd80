using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;

namespace QualityPrediction.Benchmarks;

/// <summary>
/// A hot loop to attach a profiler to (<c>--loop MODE SECONDS</c>), e.g.
/// <c>dotnet-trace collect --profile cpu-sampling --format Speedscope -- QualityPrediction.Benchmarks --loop composed-onnx 15</c>.
/// Modes: raw-onnx, ours-onnx, composed-onnx, raw-mlnet, ours-mlnet, composed-mlnet.
/// </summary>
public static class ProfileLoop
{
    public static int Run(string mode, double seconds)
    {
        var data = Fixture.Load();
        Func<int, object> step;
        IDisposable? owned = null;
        IHost? host = null;
        switch (mode)
        {
            case "raw-onnx":
                var rawOnnx = new RawOnnx(Fixture.OnnxPath, data.Manifest.InputName, data.OnnxOutputName, data.Width, 1, 1);
                owned = rawOnnx;
                step = i => rawOnnx.ScoreIoBinding(data.Vectors[i]);
                break;
            case "raw-mlnet":
                var rawMl = new RawMLNet(Fixture.ZipPath, data.Manifest.InputName, data.Width);
                owned = rawMl;
                step = i => rawMl.Score(data.Vectors[i]);
                break;
            case "ours-onnx":
            case "ours-mlnet":
                var predictor = Ours.ModelPredictor(mode[5..]);
                owned = predictor;
                step = i => predictor.Predict(data.Contexts[i]);
                break;
            case "composed-onnx":
            case "composed-mlnet":
                host = Ours.ComposedHost(mode[9..]);
                var composed = Ours.WarmComposed(host, data.Contexts[0]);
                step = i => composed.Predict(data.Contexts[i]);
                break;
            default:
                Console.Error.WriteLine($"Unknown loop mode '{mode}'.");
                return 2;
        }

        var clock = Stopwatch.StartNew();
        long count = 0;
        var n = data.Contexts.Length;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
            {
                step((int)(count++ % n));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LOOP {mode}: {count:N0} calls, {clock.Elapsed.TotalNanoseconds / count:F0} ns each"));
        owned?.Dispose();
        host?.Dispose();
        return 0;
    }
}
