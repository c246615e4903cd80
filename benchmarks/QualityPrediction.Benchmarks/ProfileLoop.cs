using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Polly;
using QualityPrediction.Models;

namespace QualityPrediction.Benchmarks;

/// <summary>
/// A hot loop to attach a profiler to (<c>--loop MODE SECONDS</c>), e.g.
/// <c>dotnet-trace collect --profile cpu-sampling --format Speedscope -- QualityPrediction.Benchmarks --loop composed-onnx 15</c>.
/// Modes: raw-onnx, raw-onnx-encode (encode the context, then IoBinding), raw-onnx-encode-stack1k (the same through a
/// 1 KB stackalloc buffer), ours-onnx, composed-onnx, raw-mlnet, ours-mlnet, composed-mlnet, trees-score (the managed tree
/// runtime's scoring model on encoded rows), ours-trees, composed-trees. Prints wall and thread CPU
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
        if (mode.Contains('/', StringComparison.Ordinal))
        {
            return Alternate(mode.Split('/'), seconds);
        }

        var data = Fixture.Load();
        var step = CreateStep(mode, data, out var owned, out var host);
        if (step is null)
        {
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

    /// <summary>
    /// Runs several modes in alternating bursts of 2,000 calls (<c>--loop raw-onnx/composed-onnx 20</c>) and reports each
    /// one's thread CPU time per call and its ratio to the first: drift from other load on the machine hits all alike.
    /// </summary>
    private static int Alternate(string[] modes, double seconds)
    {
        var data = Fixture.Load();
        var steps = new Func<int, object>[modes.Length];
        var owned = new List<IDisposable>();
        for (var m = 0; m < modes.Length; m++)
        {
            steps[m] = CreateStep(modes[m], data, out var o, out var h)!;
            if (steps[m] is null)
            {
                return 2;
            }

            if (o is not null)
            {
                owned.Add(o);
            }

            if (h is not null)
            {
                owned.Add(h);
            }

            for (var i = 0; i < 20_000; i++)
            {
                steps[m](i % data.Contexts.Length);
            }
        }

        var cpu = new long[modes.Length];
        var calls = new long[modes.Length];
        var clock = Stopwatch.StartNew();
        var n = data.Contexts.Length;
        var row = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var m = 0; m < modes.Length; m++)
            {
                var start = ThreadCpuNanoseconds();
                for (var i = 0; i < 2000; i++)
                {
                    steps[m]((row + i) % n);
                }

                cpu[m] += ThreadCpuNanoseconds() - start;
                calls[m] += 2000;
            }

            row = (row + 2000) % n;
        }

        var baseline = (double)cpu[0] / calls[0];
        for (var m = 0; m < modes.Length; m++)
        {
            var perCall = (double)cpu[m] / calls[m];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ALTERNATE {modes[m]}: {calls[m]:N0} calls, thread CPU {perCall:F0} ns per call, ratio {perCall / baseline:F3}"));
        }

        owned.ForEach(o => o.Dispose());
        return 0;
    }

    private static Func<int, object>? CreateStep(string mode, Fixture.Data data, out IDisposable? owned, out IHost? host)
    {
        Func<int, object> step;
        owned = null;
        host = null;
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
            case "trees-score":
                var trees = TreesFixture.ScoringModel(100);
                owned = trees;
                step = i => trees.Score(data.Vectors[i], CancellationToken.None);
                break;
            case "raw-mlnet":
                var rawMl = new RawMLNet(Fixture.ZipPath, data.Manifest.InputName, data.Width);
                owned = rawMl;
                step = i => rawMl.Score(data.Vectors[i]);
                break;
            case "ours-onnx":
            case "ours-mlnet":
            case "ours-trees":
                var predictor = Ours.ModelPredictor(mode[5..]);
                owned = predictor;
                step = i => predictor.Predict(data.Contexts[i]);
                break;
            case "composed-onnx":
            case "composed-mlnet":
            case "composed-trees":
                host = Ours.ComposedHost(mode[9..]);
                var composed = Ours.WarmComposed(host, data.Contexts[0]);
                step = i => composed.Predict(data.Contexts[i]);
                break;
            case "encode":
                var encodeOnly = FeatureEncoder.Create(data.Manifest);
                step = i =>
                {
                    Span<float> buffer = stackalloc float[16];
                    encodeOnly.Encode(data.Contexts[i], buffer[..data.Width]);
                    return buffer[0];
                };
                break;
            case "ens-onnx":
            case "ens-mlnet":
            case "ens-onnx-nobreaker":
            case "ens-mlnet-nobreaker":
                // The ensemble alone (no host, no metrics, no logging): model member + rule heuristic.
                var ensemble = new QualityPrediction.Ensemble.EnsemblePredictor(
                    "bench",
                    [QualityPrediction.Ensemble.EnsembleMember.Model(Ours.ModelPredictor(mode.Split('-')[1]).Catalog, Fixture.ModelName), QualityPrediction.Ensemble.EnsembleMember.Heuristic(new QualityPrediction.Heuristics.RuleBasedHeuristicPredictor(new QualityPrediction.Heuristics.HeuristicRules { BaseScore = 6 }, new ScoreRange(0, 10), 0.5))],
                    new QualityPrediction.Ensemble.EnsembleOptions { CircuitBreaker = new QualityPrediction.Ensemble.CircuitBreakerSettings { Enabled = !mode.EndsWith("nobreaker", StringComparison.Ordinal) } },
                    new ScoreRange(0, 10));
                owned = ensemble;
                step = i => ensemble.Predict(data.Contexts[i]);
                break;
            case "cts-register":
                var source = new CancellationTokenSource();
                var token = source.Token;
                step = i =>
                {
                    var registration = token.UnsafeRegister(static _ => { }, null);
                    registration.Dispose();
                    return i;
                };
                break;
            case "clock":
                step = i => TimeProvider.System.GetUtcNow().Ticks + TimeProvider.System.GetTimestamp();
                break;
            case "empty":
                step = i => i;
                break;
            case "polly":
            case "polly-breaker":
            case "polly-timeout":
                var pipelineBuilder = new Polly.ResiliencePipelineBuilder();
                if (mode != "polly-timeout")
                {
                    pipelineBuilder.AddCircuitBreaker(new Polly.CircuitBreaker.CircuitBreakerStrategyOptions());
                }

                if (mode != "polly-breaker")
                {
                    pipelineBuilder.AddTimeout(TimeSpan.FromSeconds(1));
                }

                var pipeline = pipelineBuilder.Build();
                step = i =>
                {
                    var ctx = Polly.ResilienceContextPool.Shared.Get(CancellationToken.None);
                    try
                    {
                        return pipeline.Execute(static (c, s) => s + (c.CancellationToken.CanBeCanceled ? 1 : 0), ctx, i);
                    }
                    finally
                    {
                        Polly.ResilienceContextPool.Shared.Return(ctx);
                    }
                };
                break;
            default:
                Console.Error.WriteLine($"Unknown loop mode '{mode}'.");
                return null;
        }

        return step;
    }
}
