using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using QualityPrediction.Models;

namespace QualityPrediction.Benchmarks;

/// <summary>
/// A hot loop to attach a profiler to (<c>--loop MODE SECONDS</c>), e.g.
/// <c>dotnet-trace collect --profile cpu-sampling --format Speedscope -- QualityPrediction.Benchmarks --loop composed-onnx 15</c>.
/// Modes: raw-onnx, raw-onnx-encode (encode the context, then IoBinding), raw-onnx-encode-stack1k (the same through a
/// 1 KB stackalloc buffer), ours-onnx, composed-onnx, raw-mlnet, ours-mlnet, composed-mlnet. Prints wall and thread CPU
/// time per call; thread CPU time is much less disturbed by other processes on a loaded machine.
/// </summary>
public static partial class ProfileLoop
{
    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec value);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>The calling thread's CPU time in nanoseconds (CLOCK_THREAD_CPUTIME_ID).</summary>
    public static long ThreadCpuNanoseconds() => ClockGetTime(3, out var t) == 0 ? (t.Seconds * 1_000_000_000) + t.Nanoseconds : 0;

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
            case "raw-onnx-encode":
            case "raw-onnx-encode-stack1k":
                var rawEnc = new RawOnnx(Fixture.OnnxPath, data.Manifest.InputName, data.OnnxOutputName, data.Width, 1, 1);
                owned = rawEnc;
                var encoder = FeatureEncoder.Create(data.Manifest);
                var vector = new float[data.Width];
                var stack1k = mode.EndsWith("stack1k", StringComparison.Ordinal);
                step = i =>
                {
                    Span<float> buffer = stack1k ? stackalloc float[256] : stackalloc float[16];
                    var input = buffer[..data.Width];
                    encoder.Encode(data.Contexts[i], input);
                    input.CopyTo(vector);
                    return rawEnc.ScoreIoBinding(vector);
                };
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

        for (var i = 0; i < 20_000; i++)
        {
            step(i % data.Contexts.Length);
        }

        var clock = Stopwatch.StartNew();
        var cpu0 = ThreadCpuNanoseconds();
        long count = 0;
        var n = data.Contexts.Length;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
            {
                step((int)(count++ % n));
            }
        }

        var cpu = ThreadCpuNanoseconds() - cpu0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LOOP {mode}: {count:N0} calls, wall {clock.Elapsed.TotalNanoseconds / count:F0} ns, thread CPU {(double)cpu / count:F0} ns per call"));
        owned?.Dispose();
        host?.Dispose();
        return 0;
    }
}
