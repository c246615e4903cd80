using QualityPrediction.Runtimes.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Monitoring;
using QualityPrediction.Onnx;
using QualityPrediction.Reliability.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.Models;

/// <summary>
/// Hostile or broken model folders behind a composed host (AddQualityPrediction + AddOnnxModel + AddQualityMonitor):
/// each is refused with a message naming the file and the reason, refused before the engine sees a byte wherever a
/// check can tell (size, hash, containment, manifest limits), while the host keeps answering from the heuristic with the
/// member NotLoaded and health Degraded. Complements tests/QualityPrediction.Runtimes.Tests/Models/ArtifactVerificationTests
/// (which checks the predictor's refusals one by one) with the engine-never-called proof and the host's behaviour.
/// </summary>
[TestFixture]
public sealed class HostileArtifactTests
{
    /// <summary>A spoiled model folder: how to spoil it, which file and reason the refusal must name, and whether the engine may have parsed the bytes.</summary>
    public sealed record Case(string Name, Action<string> Spoil, string File, string Reason, bool EngineMayParse, long MaxArtifactBytes = 256L * 1024 * 1024)
    {
        public override string ToString() => Name;
    }

    private static string Onnx(string manifest) => Registry.Artifact(manifest, "onnx");

    public static IEnumerable<Case> Cases()
    {
        // Caught before any engine parses the bytes.
        yield return new("empty file, manifest unchanged", m => File.WriteAllBytes(Onnx(m), []), "numeric.onnx", "is empty", EngineMayParse: false);
        yield return new("truncated file, manifest unchanged", m => Truncate(Onnx(m)), "numeric.onnx", "truncated or replaced", EngineMayParse: false);
        yield return new("random bytes of the same size", m => File.WriteAllBytes(Onnx(m), RandomBytes((int)new FileInfo(Onnx(m)).Length)), "numeric.onnx", "SHA-256 mismatch", EngineMayParse: false);
        yield return new("wrong hash in the manifest", m => Fixtures.EditManifest(m, x => x.FindArtifact("onnx")!.Sha256 = new string('a', 64)), "numeric.onnx", "SHA-256 mismatch", EngineMayParse: false);
        yield return new("no hash in the manifest", m => Fixtures.EditManifest(m, x => x.FindArtifact("onnx")!.Sha256 = ""), "numeric.onnx", "no SHA-256", EngineMayParse: false);
        yield return new("artifact above MaxArtifactBytes", _ => { }, "numeric.onnx", "above the limit", EngineMayParse: false, MaxArtifactBytes: 1024);
        yield return new("oversized random artifact, rehashed", m => { File.WriteAllBytes(Onnx(m), RandomBytes(3 * 1024 * 1024)); Fixtures.Rehash(m, "onnx", Onnx(m)); }, "numeric.onnx", "above the limit", EngineMayParse: false, MaxArtifactBytes: 2 * 1024 * 1024);
        yield return new("absurd artifact size in the manifest", m => Fixtures.EditManifest(m, x => x.FindArtifact("onnx")!.Bytes = long.MaxValue), "numeric.onnx", "manifest says", EngineMayParse: false);
        yield return new("negative artifact size in the manifest", m => Fixtures.EditManifest(m, x => x.FindArtifact("onnx")!.Bytes = -1), "numeric.model.json", "negative", EngineMayParse: false);
        yield return new("absurd input length in the manifest", m => Fixtures.EditManifest(m, x => x.InputLength = int.MaxValue), "numeric.model.json", "inputLength", EngineMayParse: false);
        yield return new("unknown manifest format version", m => File.WriteAllText(m, File.ReadAllText(m).Replace("\"formatVersion\": 1", "\"formatVersion\": 2", StringComparison.Ordinal)), "numeric.model.json", "unknown manifest format version 2", EngineMayParse: false);
        yield return new("manifest above 16 MiB", m => File.AppendAllText(m, new string(' ', 17 * 1024 * 1024)), "numeric.model.json", "above the limit", EngineMayParse: false);
        yield return new("manifest that is not JSON", m => File.WriteAllBytes(m, RandomBytes(4096)), "numeric.model.json", "malformed manifest JSON", EngineMayParse: false);
        yield return new("artifact path with ../", EscapeWithParent, "-outside.onnx", "escapes the manifest's folder", EngineMayParse: false);
        yield return new("artifact is a symlink out of the folder", LinkFileOutside, "numeric.onnx", "symbolic link", EngineMayParse: false);
        yield return new("artifact under a symlinked folder pointing out", LinkFolderOutside, "numeric.onnx", "symbolic link", EngineMayParse: false);

        // Only the engine can tell: the bytes are what the manifest promises, but they are not a usable model.
        yield return new("empty file, rehashed", m => { File.WriteAllBytes(Onnx(m), []); Fixtures.Rehash(m, "onnx", Onnx(m)); }, "numeric.onnx", "is empty", EngineMayParse: false);
        yield return new("ML.NET zip renamed to .onnx, rehashed", m => { File.Copy(Registry.Artifact(m, "mlnet"), Onnx(m), overwrite: true); Fixtures.Rehash(m, "onnx", Onnx(m)); }, "numeric.onnx", "ONNX Runtime cannot load", EngineMayParse: true);
        yield return new("a feature missing from the manifest", m => Fixtures.EditManifest(m, x => { x.Features.RemoveAt(3); x.InputLength--; }), "numeric.onnx", "input", EngineMayParse: true);
        yield return new("an extra feature in the manifest", m => Fixtures.EditManifest(m, x => { x.Features.Add(new FeatureSpec { Name = "x9", Kind = FeatureEncoding.Numeric }); x.InputLength++; }), "numeric.onnx", "input", EngineMayParse: true);
    }

    [TestCaseSource(nameof(Cases))]
    public async Task HostileModelFolder_IsRefusedAndTheHostKeepsAnsweringDegraded(Case hostile)
    {
        var manifest = Fixtures.Numeric.CopyTo(Fixtures.NewFolder("hostile"));
        hostile.Spoil(manifest);
        var runtime = new CountingRuntime(new OnnxModelRuntime());

        var services = new ServiceCollection();
        services.AddSingleton<IModelRuntime>(runtime); // registered first, so it is the "onnx" runtime the factory picks
        services.AddQualityPrediction()
            .AddOnnxModel("quality", manifest, o =>
            {
                o.WatchForChanges = false;
                o.MaxArtifactBytes = hostile.MaxArtifactBytes;
            })
            .AddQualityMonitor();
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var predictor = provider.GetRequiredService<IQualityPredictor>();
        var member = new ModelPredictor(provider.GetRequiredService<IModelCatalog>(), "quality");

        var result = await predictor.PredictAsync(new PredictionContext { ["x1"] = 0.5, ["provider"] = "openai" });
        var entry = result.Members.Single(m => m.Name == "quality");
        var health = await provider.GetRequiredService<QualityMonitorHealthCheck>().CheckHealthAsync(new HealthCheckContext());
        var status = member.Status;

        Assert.Multiple(() =>
        {
            Assert.That(status.State, Is.EqualTo(ModelLoadState.Failed));
            Assert.That(status.LastException, Is.InstanceOf<ModelLoadException>());
            Assert.That(status.LastError, Does.Contain(hostile.File), "the refusal names the file");
            Assert.That(status.LastError, Does.Contain(hostile.Reason).IgnoreCase, "the refusal names the reason");
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Heuristic), "the host keeps answering from the fallback");
            Assert.That(result.Score, Is.InRange(0, 100));
            Assert.That(entry.Status, Is.EqualTo(MemberStatus.NotLoaded));
            Assert.That(entry.Reason, Does.Contain(hostile.File));
            Assert.That(health.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(health.Description, Does.Contain("quality"));
            Assert.That(runtime.Live, Is.Zero, "nothing refused holds an engine");
            if (!hostile.EngineMayParse)
            {
                Assert.That(runtime.Loads, Is.Zero, "refused before the engine parsed a byte");
            }
        });
    }

    [Test]
    public async Task OnnxModelRenamedToZip_IsRefusedByMLNetWithTheFileAndReason()
    {
        var manifest = Fixtures.Numeric.CopyTo(Fixtures.NewFolder("renamed-zip"));
        var zip = Registry.Artifact(manifest, "mlnet");
        File.Copy(Registry.Artifact(manifest, "onnx"), zip, overwrite: true);
        Fixtures.Rehash(manifest, "mlnet", zip);
        var runtime = new CountingRuntime(new MLNetModelRuntime());
        using var predictor = await CatalogModel.LoadAsync(new ModelOptions { Name = "quality", Path = manifest, Runtime = "mlnet", WatchForChanges = false }, [runtime]);

        Assert.Multiple(() =>
        {
            Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Failed));
            Assert.That(predictor.Status.LastError, Does.Contain("numeric.zip"));
            Assert.That(predictor.Status.LastError, Does.Contain("ML.NET cannot load").IgnoreCase);
            Assert.That(runtime.Live, Is.Zero);
        });
    }

    [Test]
    public async Task ReloadToAHostileVersion_KeepsServingTheOldOne_AndHealthSaysDegraded()
    {
        var registry = new Registry(Fixtures.NewFolder("hostile-reload"), "numeric");
        registry.AddVersion(Fixtures.Versions[0], "0001");
        registry.AddVersion(Fixtures.Versions[1], "0002", m => LinkFileOutside(m));
        registry.Promote("0001");
        var runtime = new CountingRuntime(new OnnxModelRuntime());
        var services = new ServiceCollection();
        services.AddSingleton<IModelRuntime>(runtime);
        services.AddQualityPrediction().AddOnnxModel("quality", registry.Reference, o => o.WatchForChanges = false).AddQualityMonitor();
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var predictor = provider.GetRequiredService<IQualityPredictor>();
        var catalog = provider.GetRequiredService<IModelCatalog>();
        var member = new ModelPredictor(catalog, "quality");
        var loadsBefore = runtime.Loads;

        registry.Promote("0002");
        var error = await Assert.CatchAsync<ModelLoadException>(() => catalog.ReloadAsync("quality"));
        var result = await predictor.PredictAsync(new PredictionContext { ["x1"] = 0.5 });
        var health = await provider.GetRequiredService<QualityMonitorHealthCheck>().CheckHealthAsync(new HealthCheckContext());

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("symbolic link"));
            Assert.That(runtime.Loads, Is.EqualTo(loadsBefore), "the hostile version never reached the engine");
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(result.ModelVersion, Is.EqualTo("0001"));
            Assert.That(member.Status.State, Is.EqualTo(ModelLoadState.Degraded));
            Assert.That(health.Status, Is.EqualTo(HealthStatus.Degraded));
        });
    }

    private static void Truncate(string file)
    {
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Moves the artifact next to the folder and points the manifest at it with <c>../</c>.</summary>
    private static void EscapeWithParent(string manifest)
    {
        var folder = Path.GetDirectoryName(manifest)!;
        var outside = Path.Combine(Path.GetDirectoryName(folder)!, Path.GetFileName(folder) + "-outside.onnx");
        File.Copy(Onnx(manifest), outside, overwrite: true);
        Fixtures.EditManifest(manifest, m => m.FindArtifact("onnx")!.File = "../" + Path.GetFileName(outside));
    }

    /// <summary>Replaces the artifact by a symbolic link to an identical file outside the folder (hash and size still match).</summary>
    private static void LinkFileOutside(string manifest)
    {
        var file = Onnx(manifest);
        var outside = Path.Combine(Fixtures.NewFolder("outside"), "numeric.onnx");
        File.Move(file, outside);
        File.CreateSymbolicLink(file, outside);
    }

    /// <summary>Puts the artifact in a sub-folder that is a symbolic link to a folder outside.</summary>
    private static void LinkFolderOutside(string manifest)
    {
        var folder = Path.GetDirectoryName(manifest)!;
        var outside = Fixtures.NewFolder("outside-dir");
        File.Move(Onnx(manifest), Path.Combine(outside, "numeric.onnx"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "sub"), outside);
        Fixtures.EditManifest(manifest, m => m.FindArtifact("onnx")!.File = "sub/numeric.onnx");
    }
}
