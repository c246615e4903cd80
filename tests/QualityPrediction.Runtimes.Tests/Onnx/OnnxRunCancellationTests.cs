using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Trees.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.Onnx;

/// <summary>
/// Cancelling a prediction while ONNX Runtime is in the middle of a run stops that run (<c>RunOptions.Terminate</c>,
/// checked between the graph's nodes), and the pooled run state is reset so the next prediction scores normally.
/// </summary>
[TestFixture]
public sealed class OnnxRunCancellationTests
{
    private const int Width = 1024;

    [Test]
    public async Task Score_CancelledWhileTheRunIsInFlight_StopsTheRunAndTheNextCallScores()
    {
        // A graph of thousands of matrix-vector products: seconds per run, in many steps.
        using var model = LoadSlowModel(nodes: 3000, out var manifest);
        var features = Enumerable.Repeat(0.5f, Width).ToArray();
        var full = Stopwatch.StartNew();
        var expected = model.Score(features, CancellationToken.None);
        full.Stop();
        TestContext.Out.WriteLine($"full run {full.Elapsed.TotalMilliseconds:F0} ms");

        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(() =>
        {
            started.SetResult();
            return model.Score(features, cts.Token);
        });
        await started.Task;
        await Task.Delay(full.Elapsed / 10); // well inside the run
        var stopping = Stopwatch.StartNew();
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<OperationCanceledException>(async () => await run);
        stopping.Stop();
        TestContext.Out.WriteLine($"full run {full.Elapsed.TotalMilliseconds:F0} ms; stopped {stopping.Elapsed.TotalMilliseconds:F0} ms after the cancel");
        Assert.Multiple(() =>
        {
            Assert.That(error!.CancellationToken, Is.EqualTo(cts.Token));
            Assert.That(error.InnerException, Is.InstanceOf<OnnxRuntimeException>(), "ONNX Runtime stopped the run it was in (the terminate flag), rather than the run finishing first");
        });

        // The terminate flag was reset: the same pooled run state scores again, to the same value.
        Assert.That(model.Score(features, CancellationToken.None), Is.EqualTo(expected));
        Assert.That(manifest.InputLength, Is.EqualTo(Width));
    }

    private static IScoringModel LoadSlowModel(int nodes, out ModelManifest manifest)
    {
        var identity = new float[Width * Width];
        for (var i = 0; i < Width; i++)
        {
            identity[(i * Width) + i] = 1;
        }

        // The weights depend on the input (plus 0 × its sum), so ONNX Runtime cannot fold or pre-pack them at load.
        var builder = new OnnxGraphBuilder(Width)
            .Constant("m", [Width, Width], identity)
            .Constant("zero", [1], [0f])
            .Constant("sum", [Width, 1], Enumerable.Repeat(1f / Width, Width).ToArray())
            .Node("ReduceSum", "", ["Features"], ["total"])
            .Node("Mul", "", ["total", "zero"], ["nothing"])
            .Node("Add", "", ["m", "nothing"], ["w"]);
        var previous = "Features";
        for (var n = 0; n < nodes; n++)
        {
            builder.Node("MatMul", "", [previous, "w"], ["h" + n]);
            previous = "h" + n;
        }

        builder.Node("MatMul", "", [previous, "sum"], ["Score.output"]);
        manifest = new ModelManifest
        {
            Name = "slow",
            Version = "0001",
            Features = [.. Enumerable.Range(0, Width).Select(i => new FeatureSpec { Name = "x" + i, Kind = FeatureEncoding.Numeric })],
            InputLength = Width,
        };
        var artifact = new ArtifactInfo { File = "slow.onnx", Format = "onnx" };
        return new OnnxModelRuntime().Load(manifest, artifact, builder.Build(), new ModelRuntimeOptions());
    }
}
