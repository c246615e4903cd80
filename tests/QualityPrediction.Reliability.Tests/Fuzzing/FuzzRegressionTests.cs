using QualityPrediction.Runtimes.Tests.TestSupport;
using QualityPrediction.Models;
using QualityPrediction.Reliability.Tests.TestSupport;
using QualityPrediction.Training.Data;

namespace QualityPrediction.Reliability.Tests.Fuzzing;

/// <summary>The crashes <see cref="FuzzProperties"/> found, each kept as a regression test named after what it guards (see docs/reliability.md).</summary>
[TestFixture]
public sealed class FuzzRegressionTests
{
    /// <summary>Found by ManifestReader_OnMutatedManifests (seed 1293840873): System.Text.Json's ArgumentException for a lone surrogate escaped ModelManifest.Parse.</summary>
    [Test]
    public void ManifestTextWithALoneSurrogate_IsAModelFormatExceptionNamingTheFile()
    {
        var json = Fixtures.Categorical.Manifest.ToJson().Replace("\"categorical\"", "\"categ\ud800orical\"", StringComparison.Ordinal);
        var error = Assert.Throws<ModelFormatException>(() => ModelManifest.Parse(json, "bad.model.json"));
        Assert.That(error!.Message, Does.StartWith("bad.model.json").And.Contain("not valid Unicode"));
    }

    /// <summary>Found by ManifestReader_OnMutatedManifests in a CI run (FsCheck seed 17175713742845224035, input seed 235068117): a null in a cross feature's rareCategories passed validation and FeatureEncoder.Create threw a NullReferenceException.</summary>
    [Test]
    public void NullRareCategory_IsAModelFormatExceptionNamingTheField()
    {
        var json = Fixtures.Categorical.Manifest.ToJson();
        var manifest = ModelManifest.Parse(json, "ok.model.json");
        var cross = manifest.Features.First(f => f.Kind == FeatureEncoding.Cross);
        cross.RareCategories = [null!];
        var broken = manifest.ToJson();

        var error = Assert.Throws<ModelFormatException>(() => ModelManifest.Parse(broken, "bad.model.json"));
        Assert.That(error!.Message, Does.StartWith("bad.model.json").And.Contain("rareCategories"));
        Assert.Throws<ModelFormatException>(() => FeatureEncoder.Create(manifest));
    }

    /// <summary>Found by TrainingReaders_OnMutatedFiles/data.json (seed 1983565832): a JSON record with an empty field name made PredictionContext.Set throw an ArgumentException out of DataReader.Read.</summary>
    [TestCase("data.json", "[{\"provider\":\"openai\",\"quality\":71},{\"provider\":\"anthropic\",\"quality\":63,\"\":-1}]")]
    [TestCase("data.jsonl", "{\"provider\":\"openai\",\"quality\":71}\n{\"provider\":\"anthropic\",\"quality\":63,\"  \":\"x\"}\n")]
    [TestCase("legacy.json", "[{\"features\":{\"team\":\"a\"},\"target\":70},{\"features\":{\"team\":\"b\",\"\":1},\"target\":60}]")]
    public void RecordWithAnEmptyFieldName_IsABadRow(string fileName, string content)
    {
        var path = Path.Combine(Fixtures.NewFolder("empty-name"), fileName);
        File.WriteAllText(path, content);
        var target = fileName.StartsWith("legacy", StringComparison.Ordinal) ? "target" : "quality";

        var error = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = target }));
        Assert.That(error!.Message, Does.Contain(fileName).And.Contain("empty name"));

        var skipped = DataReader.Read([path], new DataReadOptions { Target = target, OnBadRow = BadRowPolicy.Skip });
        Assert.That(skipped.Count, Is.EqualTo(1));
        Assert.That(skipped.SkippedRows, Has.Count.EqualTo(1));
    }

    /// <summary>Found by the swap-under-load test: a runtime's refusal named only "numeric.onnx", not which version's folder it came from.</summary>
    [Test]
    public async Task RuntimeRefusal_NamesTheFullArtifactPath()
    {
        var manifest = Fixtures.Numeric.CopyTo(Fixtures.NewFolder("full-path"));
        Fixtures.EditManifest(manifest, m =>
        {
            m.Features.Add(new FeatureSpec { Name = "x9", Kind = FeatureEncoding.Numeric });
            m.InputLength++;
        });
        using var predictor = await CatalogModel.LoadAsync(new ModelOptions { Name = "quality", Path = manifest, Runtime = "onnx", WatchForChanges = false }, [new Onnx.OnnxModelRuntime()]);
        var error = (ModelLoadException)predictor.Status.LastException!;
        Assert.Multiple(() =>
        {
            Assert.That(error.File, Is.EqualTo(Path.Combine(Path.GetDirectoryName(manifest)!, "numeric.onnx")));
            Assert.That(error.Message, Does.StartWith(error.File + ": ").And.Contain("shape"));
        });
    }

    /// <summary>Found by TrainingReaders_OnMutatedFiles/data.json (seed 1529002438) and legacy.json (seed 1566008961): invalid UTF-8 inside a string of a JSON array made GetString throw an InvalidOperationException out of DataReader.Read.</summary>
    [TestCase("data.json")]
    [TestCase("legacy.json")]
    public void InvalidUtf8InAJsonArrayRecord_IsABadRow(string fileName)
    {
        var path = Path.Combine(Fixtures.NewFolder("bad-utf8"), fileName);
        var legacy = fileName.StartsWith("legacy", StringComparison.Ordinal);
        var good = legacy ? "{\"features\":{\"team\":\"a\"},\"target\":70}" : "{\"provider\":\"openai\",\"quality\":71}";
        var bad = legacy ? "{\"features\":{\"team\":\"b\u00ff\"},\"target\":60}" : "{\"provider\":\"b\u00ff\",\"quality\":63}";
        var bytes = System.Text.Encoding.UTF8.GetBytes("[" + good + ",\n" + bad + "]");
        var at = Array.IndexOf(bytes, (byte)0xC3); // the first byte of U+00FF: replace it by a byte that cannot start a UTF-8 sequence
        bytes[at] = 0xFA;
        File.WriteAllBytes(path, bytes);
        var target = legacy ? "target" : "quality";

        var error = Assert.Throws<DataFormatException>(() => DataReader.Read([path], new DataReadOptions { Target = target }));
        Assert.That(error!.Message, Does.Contain(fileName).And.Contain("UTF-8"));
        var skipped = DataReader.Read([path], new DataReadOptions { Target = target, OnBadRow = BadRowPolicy.Skip });
        Assert.That(skipped.Count, Is.EqualTo(1));
    }
}
