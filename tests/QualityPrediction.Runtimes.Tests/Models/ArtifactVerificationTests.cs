using QualityPrediction.Models;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.Models;

/// <summary>Bad input is refused with a message naming the file and the reason, and no model goes live.</summary>
[TestFixture]
public sealed class ArtifactVerificationTests
{
    private static readonly string[] Runtimes = ["onnx", "mlnet"];

    private static string Extension(string runtime) => runtime == "onnx" ? ".onnx" : ".zip";

    private static async Task AssertRefusedAsync(string path, string runtime, string file, string reason, Action<ModelOptions>? configure = null)
    {
        using var predictor = await Predictors.LoadAsync(path, runtime, configure);
        var status = predictor.Status;
        Assert.Multiple(() =>
        {
            Assert.That(status.State, Is.EqualTo(ModelLoadState.Failed));
            Assert.That(status.LastError, Does.Contain(file), "the message names the file");
            Assert.That(status.LastError, Does.Contain(reason).IgnoreCase, "the message names the reason");
            Assert.That(status.LastException, Is.InstanceOf<ModelLoadException>());
            Assert.That(status.Version, Is.Null);
        });

        var thrown = Assert.Throws<ModelNotLoadedException>(() => predictor.Predict(new PredictionContext()));
        Assert.That(thrown!.InnerException, Is.SameAs(status.LastException));
    }

    private static string Copy(string name) => Fixtures.Numeric.CopyTo(Fixtures.NewFolder(name));

    [Test]
    public async Task MissingManifest_IsRefused()
    {
        var path = Path.Combine(Fixtures.NewFolder("nomanifest"), "numeric.model.json");
        await AssertRefusedAsync(path, "onnx", "numeric.model.json", "does not exist");
    }

    [TestCaseSource(nameof(Runtimes))]
    public async Task MissingArtifact_IsRefused(string runtime)
    {
        var manifest = Copy("noartifact");
        File.Delete(Path.ChangeExtension(Path.ChangeExtension(manifest, null), null) + Extension(runtime));
        await AssertRefusedAsync(manifest, runtime, "numeric" + Extension(runtime), "does not exist");
    }

    [TestCaseSource(nameof(Runtimes))]
    public async Task TruncatedArtifactWithMatchingHash_IsRefusedByTheEngine(string runtime)
    {
        var manifest = Copy("truncated");
        var file = Path.Combine(Path.GetDirectoryName(manifest)!, "numeric" + Extension(runtime));
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);
        RehashArtifact(manifest, runtime, file);
        await AssertRefusedAsync(manifest, runtime, file, runtime == "onnx" ? "ONNX Runtime cannot load" : "ML.NET cannot load");
    }

    [TestCaseSource(nameof(Runtimes))]
    public async Task RandomBytesWithMatchingHash_AreRefusedByTheEngine(string runtime)
    {
        var manifest = Copy("random");
        var file = Path.Combine(Path.GetDirectoryName(manifest)!, "numeric" + Extension(runtime));
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        RehashArtifact(manifest, runtime, file);
        await AssertRefusedAsync(manifest, runtime, file, runtime == "onnx" ? "ONNX Runtime cannot load" : "ML.NET cannot load");
    }

    [TestCaseSource(nameof(Runtimes))]
    public async Task HashMismatch_IsRefused(string runtime)
    {
        var manifest = Copy("hash");
        var file = Path.Combine(Path.GetDirectoryName(manifest)!, "numeric" + Extension(runtime));
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes);
        await AssertRefusedAsync(manifest, runtime, "numeric" + Extension(runtime), "SHA-256 mismatch");
    }

    [Test]
    public async Task HashMismatch_IsAcceptedWhenVerificationIsOff()
    {
        var manifest = Copy("hash-off");
        Predictors.EditManifest(manifest, m => m.FindArtifact("onnx")!.Sha256 = new string('0', 64));
        using var predictor = await Predictors.LoadAsync(manifest, "onnx", o => o.VerifyHash = false);
        Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Loaded), predictor.Status.LastError);
    }

    [Test]
    public async Task SizeDifferentFromManifest_IsRefused()
    {
        var manifest = Copy("size");
        Predictors.EditManifest(manifest, m => m.FindArtifact("onnx")!.Bytes += 1);
        await AssertRefusedAsync(manifest, "onnx", "numeric.onnx", "truncated or replaced");
    }

    [Test]
    public async Task ArtifactLargerThanTheLimit_IsRefused()
    {
        var manifest = Copy("oversized");
        await AssertRefusedAsync(manifest, "onnx", "numeric.onnx", "above the limit", o => o.MaxArtifactBytes = 100);
    }

    [Test]
    public async Task UnknownFormatVersion_IsRefused()
    {
        var manifest = Copy("version");
        var json = await File.ReadAllTextAsync(manifest);
        await File.WriteAllTextAsync(manifest, json.Replace("\"formatVersion\": 1", "\"formatVersion\": 99", StringComparison.Ordinal));
        await AssertRefusedAsync(manifest, "onnx", "numeric.model.json", "unknown manifest format version 99");
    }

    [TestCaseSource(nameof(Runtimes))]
    public async Task FeaturesNotMatchingTheModelInputs_AreRefused(string runtime)
    {
        var manifest = Copy("features");
        Predictors.EditManifest(manifest, m =>
        {
            m.Features.Add(new FeatureSpec { Name = "extra", Kind = FeatureEncoding.Numeric });
            m.InputLength = 5;
        });
        await AssertRefusedAsync(manifest, runtime, "numeric" + Extension(runtime), runtime == "onnx" ? "[N, 5]" : "vector of 5 slots");
    }

    [Test]
    public async Task ArtifactPathWithParentSegments_IsRefused()
    {
        var manifest = Copy("escape");
        Predictors.EditManifest(manifest, m => m.FindArtifact("onnx")!.File = "../numeric-v1/numeric.onnx");
        await AssertRefusedAsync(manifest, "onnx", "numeric.onnx", "escapes the manifest's folder");
    }

    [Test]
    public async Task AbsoluteArtifactPath_IsRefused()
    {
        var manifest = Copy("absolute");
        Predictors.EditManifest(manifest, m => m.FindArtifact("onnx")!.File = Fixtures.Numeric.OnnxPath);
        await AssertRefusedAsync(manifest, "onnx", Fixtures.Numeric.OnnxPath, "must be relative");
    }

    [Test]
    public async Task SymbolicLinkPointingOutside_IsRefused()
    {
        var manifest = Copy("symlink");
        var link = Path.Combine(Path.GetDirectoryName(manifest)!, "numeric.onnx");
        File.Delete(link);
        File.CreateSymbolicLink(link, Fixtures.Numeric.OnnxPath);
        await AssertRefusedAsync(manifest, "onnx", "numeric.onnx", "symbolic link");
    }

    [Test]
    public async Task SymbolicLinkInsideTheFolder_IsAccepted()
    {
        var manifest = Copy("symlink-in");
        var folder = Path.GetDirectoryName(manifest)!;
        File.Move(Path.Combine(folder, "numeric.onnx"), Path.Combine(folder, "numeric-0001.onnx"));
        File.CreateSymbolicLink(Path.Combine(folder, "numeric.onnx"), "numeric-0001.onnx");
        using var predictor = await Predictors.LoadAsync(manifest, "onnx");
        Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Loaded), predictor.Status.LastError);
    }

    [Test]
    public async Task ManifestWithoutTheRequestedFormat_IsRefused()
    {
        var manifest = Copy("noformat");
        Predictors.EditManifest(manifest, m => m.Artifacts.Remove(m.FindArtifact("onnx")!));
        await AssertRefusedAsync(manifest, "onnx", "numeric.model.json", "lists no 'onnx' artifact");
    }

    [Test]
    public async Task WrongOutputName_IsRefused()
    {
        var manifest = Copy("output");
        Predictors.EditManifest(manifest, m => m.FindArtifact("onnx")!.OutputName = "Probability.output");
        await AssertRefusedAsync(manifest, "onnx", "numeric.onnx", "no output named 'Probability.output'");
    }

    private static void RehashArtifact(string manifestPath, string runtime, string file) =>
        Predictors.EditManifest(manifestPath, m =>
        {
            var artifact = m.FindArtifact(runtime)!;
            var fresh = TrainedModel.Describe(file, runtime, artifact.OutputName);
            artifact.Bytes = fresh.Bytes;
            artifact.Sha256 = fresh.Sha256;
        });
}
