using System.Globalization;
using System.Text.Json;

namespace QualityPrediction.Cli.Tests.Commands;

public sealed class PredictCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-cli-predict-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Predict_scores_a_file_with_both_runtimes_alike_and_a_context_as_json()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 150);
        var output = Path.Combine(_folder, "out");
        var (trained, _, trainErr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", output, "--name", "demo", "--trainer", "fasttree", "--folds", "3", "--inner-folds", "2", "--json");
        Assert.That(trained, Is.EqualTo(0), trainErr);
        var manifest = Path.Combine(output, "demo.model.json");
        var contexts = Path.Combine(_folder, "contexts.jsonl");
        await File.WriteAllLinesAsync(contexts, ["{\"a\":1.0,\"b\":2.0,\"kind\":\"x\"}", "{\"a\":3.5,\"b\":0.5,\"kind\":\"y\"}", "{\"a\":2.0,\"kind\":\"never-seen\"}"]);

        var onnx = await Scores("onnx");
        var mlnet = await Scores("mlnet");

        Assert.That(onnx, Has.Count.EqualTo(3));
        for (var i = 0; i < onnx.Count; i++)
        {
            Assert.That(onnx[i].Score, Is.EqualTo(mlnet[i].Score).Within(1e-3), $"row {i}: the two runtimes disagree");
            Assert.That(onnx[i].Source, Is.EqualTo("model"));
            Assert.That(onnx[i].Version, Is.EqualTo("0001"));
        }

        Assert.That(onnx[1].Score, Is.GreaterThan(onnx[0].Score), "a larger 'a' and a smaller 'b' mean a higher quality in the generated data");

        var (code, stdout, stderr) = await CliRunner.RunAsync("predict", "--model", manifest, "--context", "{\"a\":1.0,\"b\":2.0,\"kind\":\"x\"}", "--json");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(JsonDocument.Parse(stdout).RootElement.GetProperty("score").GetDouble(), Is.EqualTo(onnx[0].Score).Within(1e-9));

        var (wrongKind, _, wrongKindErr) = await CliRunner.RunAsync("predict", "--model", manifest, "--context", "{\"a\":\"high\"}");
        Assert.That(wrongKind, Is.Not.Zero);
        Assert.That(wrongKindErr, Does.Contain("'a'"));

        async Task<List<(double Score, string Source, string Version)>> Scores(string runtime)
        {
            var (exit, text, err) = await CliRunner.RunAsync("predict", "--model", manifest, "--runtime", runtime, "--data", contexts, "--json");
            Assert.That(exit, Is.EqualTo(0), err);
            return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
            {
                var row = JsonDocument.Parse(line).RootElement;
                return (row.GetProperty("score").GetDouble(), row.GetProperty("source").GetString()!, row.GetProperty("version").GetString()!);
            })];
        }
    }

    // Issue 12, item 3: a misspelled feature scored silently with rc 0. Now it is a warning with a "did you mean" on
    // stderr, a context with none of the model's features is refused, and --strict refuses any unknown name.
    [Test]
    public async Task Predict_warns_about_an_unknown_feature_refuses_a_context_with_none_and_strict_refuses_any()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 150);
        var output = Path.Combine(_folder, "out");
        var (trained, _, trainErr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", output, "--name", "demo", "--trainer", "fasttree", "--folds", "3", "--inner-folds", "2", "--json");
        Assert.That(trained, Is.EqualTo(0), trainErr);
        var manifest = Path.Combine(output, "demo.model.json");

        var (warned, _, warning) = await CliRunner.RunAsync("predict", "--model", manifest, "--context", "{\"a\":1.0,\"bb\":2.0}");
        Assert.That(warned, Is.EqualTo(0), warning);
        Assert.That(warning, Does.Contain("'bb'").And.Contain("did you mean 'b'"));

        var (none, _, noneErr) = await CliRunner.RunAsync("predict", "--model", manifest, "--context", "{\"alcohl\":12.5}");
        Assert.That(none, Is.EqualTo(2), "a context that supplies none of the model's features is not scored");
        Assert.That(noneErr, Does.Contain("none of model"));

        var (strict, _, strictErr) = await CliRunner.RunAsync("predict", "--model", manifest, "--strict", "--context", "{\"a\":1.0,\"bb\":2.0}");
        Assert.That(strict, Is.EqualTo(2));
        Assert.That(strictErr, Does.Contain("'bb'").And.Contain("Throw"));
    }
}
