using System.Security.Cryptography;
using QualityPrediction.Models;
using QualityPrediction.Training.Export;
using QualityPrediction.Training.Featurization;

namespace QualityPrediction.Training.Tests.Export;

public sealed class ModelExporterTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    [Test]
    public void Export_WritesVerifiedArtifactsWithParity()
    {
        var data = TestData.Regression(200);
        var result = ModelTrainer.Train(data, ModelTrainerTests.Small(ModelTrainerTests.SmallTrees));
        var dir = Path.Combine(_folder.Path, "out");

        var manifest = ModelExporter.Export(result, dir, "0007", data.Contexts);

        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "tiny.zip", "tiny.onnx", "tiny.model.json" }));
        Assert.That(Directory.GetDirectories(_folder.Path), Is.EqualTo(new[] { dir }), "no temporary folder is left behind");
        var loaded = ModelManifest.Load(Path.Combine(dir, "tiny.model.json"));
        Assert.That(loaded.Version, Is.EqualTo("0007"));
        foreach (var artifact in loaded.Artifacts)
        {
            var bytes = File.ReadAllBytes(Path.Combine(dir, artifact.File));
            Assert.That(artifact.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
            Assert.That(artifact.Bytes, Is.EqualTo(bytes.Length));
        }

        Assert.That(loaded.FindArtifact("onnx")!.OutputName, Is.EqualTo("Score.output"));
        Assert.That(loaded.Parity!.Rows, Is.EqualTo(200));
        Assert.That(loaded.Parity.MaxAbsDifference, Is.LessThanOrEqualTo(loaded.Parity.Tolerance));
        Assert.That(loaded.Parity.Tolerance, Is.EqualTo(1e-5 * loaded.Target.Range.Width).Within(1e-15));
        Assert.That(manifest.Parity!.MaxAbsDifference, Is.EqualTo(loaded.Parity.MaxAbsDifference));
    }

    [Test]
    public void CheckParity_RefusesAnOnnxFileOfAnotherModel()
    {
        var data = TestData.Regression(200);
        var model = ModelTrainer.Train(data, ModelTrainerTests.Small(ModelTrainerTests.SmallTrees));
        var other = ModelTrainer.Train(TestData.Regression(200, seed: 99), ModelTrainerTests.Small(ModelTrainerTests.SmallTrees));
        var otherDir = Path.Combine(_folder.Path, "other");
        ModelExporter.Export(other, otherDir, "0001", data.Contexts);
        var wrongOnnx = File.ReadAllBytes(Path.Combine(otherDir, "tiny.onnx"));
        var encoder = FeatureEncoder.Create(model.Manifest);
        var matrix = Featurizer.Encode(encoder, data.Contexts);

        var ex = Assert.Throws<OnnxExportException>(() => ModelExporter.CheckParity(model, wrongOnnx, matrix, data.Count));

        Assert.That(ex!.MaxDifference, Is.GreaterThan(1e-5 * model.Manifest.Target.Range.Width));
        Assert.That(ex.Message, Does.Contain("disagrees with the ML.NET model").And.Contain("was not written"));
    }

    [Test]
    public void CheckParity_RefusesBytesThatAreNotOnnx()
    {
        var data = TestData.Regression(60);
        var model = ModelTrainer.Train(data, ModelTrainerTests.Small(ModelTrainerTests.SmallTrees));
        var matrix = Featurizer.Encode(FeatureEncoder.Create(model.Manifest), data.Contexts);

        var ex = Assert.Throws<OnnxExportException>(() => ModelExporter.CheckParity(model, [1, 2, 3, 4], matrix, data.Count));

        Assert.That(ex!.Message, Does.StartWith("ONNX Runtime refused the exported model"));
    }

    [Test]
    public void Compare_OneTamperedScoreBeyondTolerance_IsRefused()
    {
        float[] mlnet = [5.0f, 6.0f, 7.0f];
        float[] onnx = [5.0f, 6.001f, 7.0f];

        var ex = Assert.Throws<OnnxExportException>(() => ModelExporter.Compare(mlnet, onnx, tolerance: 6e-5));

        Assert.That(ex!.MaxDifference, Is.EqualTo(0.001).Within(1e-6));
        Assert.That(ex.Message, Does.Contain("row 1"));
        Assert.That(ModelExporter.Compare(mlnet, [5.0f, 6.00001f, 7.0f], tolerance: 6e-5).MaxAbsDifference, Is.LessThan(6e-5));
    }

    [Test]
    public void CheckLoadable_RefusesAManifestAboveTheLoadersLimitNamingTheLargestFeature()
    {
        var manifest = new ModelManifest
        {
            Name = "big",
            Target = new TargetInfo { Name = "y", Min = 0, Max = 1, Tolerance = 0.1 },
            Features = [new FeatureSpec { Name = "session", Kind = FeatureEncoding.Categorical, Categories = [], RareCategories = [.. Enumerable.Range(0, 500).Select(i => $"s{i}")] }],
        };
        var json = manifest.ToJson();

        var ex = Assert.Throws<ModelFormatException>(() => ModelExporter.CheckLoadable(manifest, json, 10, 10, maxManifestBytes: json.Length - 1));
        Assert.DoesNotThrow(() => ModelExporter.CheckLoadable(manifest, json, 10, 10, maxManifestBytes: json.Length));

        Assert.That(ex!.Message, Does.Contain("above the loader's limit").And.Contain("'session'").And.Contain("nothing was written"));
    }
}
