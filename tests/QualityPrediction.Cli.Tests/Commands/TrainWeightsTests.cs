using System.Globalization;
using System.Text;
using System.Text.Json;

namespace QualityPrediction.Cli.Tests.Commands;

/// <summary><c>quality train --propensity</c> / <c>--weight</c>, as docs/training.md shows them.</summary>
public sealed class TrainWeightsTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-cli-weights-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    private string WriteLog(string name, int rows, Func<int, double>? probability = null)
    {
        var random = new Random(4);
        var text = new StringBuilder();
        string[] models = ["gpt-4o", "claude-sonnet-4", "gemini-2.0-flash"];
        for (var i = 0; i < rows; i++)
        {
            var model = models[i % 3];
            var p = probability?.Invoke(i) ?? (model == "gpt-4o" ? 0.867 : 0.067);
            var quality = (model == "claude-sonnet-4" ? 84 : model == "gpt-4o" ? 78 : 70) + ((random.NextDouble() - 0.5) * 6);
            text.Append(CultureInfo.InvariantCulture, $$"""{"model":"{{model}}","selectionProbability":{{p}},"quality":{{quality:R}}}""").Append('\n');
        }

        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Test]
    public async Task Train_WithPropensity_RecordsTheWeightsAndLeavesTheColumnOutOfTheFeatures()
    {
        var data = WriteLog("logged.jsonl", 120);

        var (code, stdout, stderr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"),
            "--trainer", "fasttree", "--folds", "3", "--inner-folds", "2", "--propensity", "selectionProbability", "--json");

        Assert.That(code, Is.EqualTo(0), stderr);
        using var result = JsonDocument.Parse(stdout);
        using var manifest = JsonDocument.Parse(File.ReadAllText(result.RootElement.GetProperty("artifacts").GetProperty("manifest").GetString()!));
        var root = manifest.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("trainer").GetProperty("parameters").GetProperty("rowWeights").GetString(), Is.EqualTo("min(1/selectionProbability, 20)"));
            Assert.That(root.GetProperty("metrics").GetProperty("rowWeights").GetString(), Is.EqualTo("min(1/selectionProbability, 20)"));
            Assert.That(root.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("name").GetString()), Is.EqualTo(new[] { "model" }));
        });
    }

    [Test]
    public async Task Train_WithAProbabilityOfZero_FailsNamingTheFileAndLine()
    {
        var data = WriteLog("bad.jsonl", 60, i => i == 16 ? 0 : 0.5);

        var (code, _, stderr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"),
            "--trainer", "fasttree", "--propensity", "selectionProbability");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("bad.jsonl:17: the selection probability 'selectionProbability' is 0; it must lie in (0, 1]."));
    }

    [Test]
    public async Task Train_SdcaWithWeights_IsRefused()
    {
        var data = WriteLog("logged.jsonl", 60);

        var (code, _, stderr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"),
            "--trainer", "sdca", "--folds", "3", "--inner-folds", "2", "--propensity", "selectionProbability");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("Sdca does not train reliably with row weights"));
    }
}
