using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.Onnx;

[TestFixture]
public sealed class OnnxModelRuntimeTests
{
    private static IScoringModel Load(TrainedModel model, ModelRuntimeOptions? options = null)
    {
        var artifact = model.Manifest.FindArtifact("onnx")!;
        return new OnnxModelRuntime().Load(model.Manifest, artifact, File.ReadAllBytes(model.OnnxPath), options ?? new ModelRuntimeOptions());
    }

    [Test]
    public void Score_WithCancelledToken_TerminatesTheRunAndThrowsOperationCanceled()
    {
        using var model = Load(Fixtures.Numeric);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var features = new float[model.InputLength];

        var error = Assert.Throws<OperationCanceledException>(() => model.Score(features, cts.Token));
        Assert.Multiple(() =>
        {
            Assert.That(error!.CancellationToken, Is.EqualTo(cts.Token));
            Assert.That(error.InnerException, Is.InstanceOf<OnnxRuntimeException>(), "the run was stopped by ONNX Runtime through RunOptions.Terminate");
        });

        // The pooled buffers are reset: the next call scores normally.
        Assert.That(float.IsFinite(model.Score(features, CancellationToken.None)), Is.True);
    }

    [Test]
    public void ScoreBatch_WithCancelledToken_Throws()
    {
        using var model = Load(Fixtures.Numeric);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.That(() => model.ScoreBatch(new float[model.InputLength * 3], new float[3], cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [TestCase(1, 0)]
    [TestCase(1, 1)]
    [TestCase(2, 0)]
    public void BatchAndSingleRow_AgreeForAnyThreadSettings(int intraOp, int batchIntraOp)
    {
        using var model = Load(Fixtures.Categorical, new ModelRuntimeOptions { IntraOpThreads = intraOp, BatchIntraOpThreads = batchIntraOp });
        var encoder = FeatureEncoder.Create(Fixtures.Categorical.Manifest);
        var contexts = Fixtures.Categorical.HoldOut.ToArray();
        var features = new float[contexts.Length * encoder.Length];
        encoder.EncodeBatch(contexts, features);
        var scores = new float[contexts.Length];
        model.ScoreBatch(features, scores, CancellationToken.None);
        for (var i = 0; i < contexts.Length; i++)
        {
            var single = model.Score(features.AsSpan(i * encoder.Length, encoder.Length), CancellationToken.None);
            Assert.That(scores[i], Is.EqualTo(single).Within(1e-3), $"row {i}");
        }
    }

    [Test]
    public void Dispose_ThenScore_ThrowsObjectDisposed()
    {
        var model = Load(Fixtures.Numeric);
        model.Dispose();
        model.Dispose();
        Assert.That(() => model.Score(new float[model.InputLength], CancellationToken.None), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void ConcurrentSingleRowScoring_IsConsistent()
    {
        using var model = Load(Fixtures.Categorical);
        var encoder = FeatureEncoder.Create(Fixtures.Categorical.Manifest);
        var rows = Fixtures.Categorical.HoldOut.Select(c =>
        {
            var v = new float[encoder.Length];
            encoder.Encode(c, v);
            return v;
        }).ToArray();
        var expected = rows.Select(r => model.Score(r, CancellationToken.None)).ToArray();
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var index = i % rows.Length;
            var score = model.Score(rows[index], CancellationToken.None);
            if (score != expected[index])
            {
                errors.Add($"row {index}: {score} != {expected[index]}");
            }
        });
        Assert.That(errors, Is.Empty);
    }

    /// <summary>A host that references only QualityPrediction.Onnx gets no ML.NET assembly: the package's dependency closure has none.</summary>
    [Test]
    public void OnnxPackage_DependencyClosure_HasNoMLNetAssembly()
    {
        var depsFile = Path.Combine(RepositoryRoot(), "src", "QualityPrediction.Onnx", "bin", Configuration(), "net10.0", "QualityPrediction.Onnx.deps.json");
        Assert.That(File.Exists(depsFile), Is.True, depsFile);
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList();
        var assemblies = deps.RootElement.GetProperty("targets").EnumerateObject()
            .SelectMany(t => t.Value.EnumerateObject())
            .SelectMany(l => l.Value.TryGetProperty("runtime", out var runtime) ? runtime.EnumerateObject().Select(a => Path.GetFileName(a.Name)) : [])
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(libraries, Does.Contain("Microsoft.ML.OnnxRuntime"), "the closure was read from the right file");
            Assert.That(libraries, Does.Contain("QualityPrediction"));
            Assert.That(libraries.Where(IsMLNet), Is.Empty);
            Assert.That(assemblies, Does.Contain("Microsoft.ML.OnnxRuntime.dll"));
            Assert.That(assemblies.Where(a => IsMLNet(Path.GetFileNameWithoutExtension(a))), Is.Empty);
        });

        static bool IsMLNet(string name) =>
            (name == "Microsoft.ML" || name.StartsWith("Microsoft.ML.", StringComparison.Ordinal))
            && !name.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal);
    }

    private static string Configuration() =>
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "QualityPrediction.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("QualityPrediction.sln not found above " + AppContext.BaseDirectory);
    }
}
