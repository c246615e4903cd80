using System.Text.Json;

namespace QualityPrediction.Cli.Tests.Commands;

public sealed class RegistryCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    private async Task<JsonElement> Train(string data, string registry, params string[] extra)
    {
        string[] args = ["train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--name", "demo", "--trainer", "sdca", "--folds", "3", "--inner-folds", "2", "--registry", registry, "--json", .. extra];
        var (code, stdout, stderr) = await CliRunner.RunAsync(args);
        Assert.That(code, Is.EqualTo(0), stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [Test]
    public async Task TrainTwice_ThenPromote_RequiresBeatingTheChampionBeyondNoise()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 150);
        var registry = Path.Combine(_folder, "registry");

        var weak = await Train(data, registry, "--ignore", "a");
        var strong = await Train(data, registry);
        var weaker = await Train(data, registry, "--ignore", "a,b");

        Assert.That(weak.GetProperty("comparison").GetString(), Does.Contain("first version and becomes the champion"));
        Assert.That(strong.GetProperty("comparison").GetString(), Does.Contain("version 0002 vs champion 0001").And.Contain("better beyond noise"));

        var (code, stdout, _) = await CliRunner.RunAsync("promote", "demo", "0002", "--registry", registry);
        Assert.That(code, Is.EqualTo(0), stdout);
        Assert.That(stdout, Does.Contain("champion -> 0002"));

        var (refused, _, refusal) = await CliRunner.RunAsync("promote", "demo", "0003", "--registry", registry);
        Assert.That(refused, Is.EqualTo(4));
        Assert.That(refusal, Does.Contain("not better than champion 0002 beyond noise"));

        var (listCode, list, _) = await CliRunner.RunAsync("registry", "list", "--registry", registry, "--json");
        Assert.That(listCode, Is.EqualTo(0));
        using var json = JsonDocument.Parse(list);
        var model = json.RootElement.GetProperty("models")[0];
        Assert.That(model.GetProperty("aliases").GetProperty("champion").GetString(), Is.EqualTo("0002"));
        Assert.That(model.GetProperty("aliases").GetProperty("challenger").GetString(), Is.EqualTo("0003"));
        Assert.That(model.GetProperty("versions").GetArrayLength(), Is.EqualTo(3));
        Assert.That(json.RootElement.GetProperty("runs").GetArrayLength(), Is.EqualTo(3));
        Assert.That(File.Exists(Path.Combine(registry, "demo", "versions", "0002", "report.md")), Is.True);
        Assert.That(weaker.GetProperty("version").GetString(), Is.EqualTo("0003"));

        var (forced, _, _) = await CliRunner.RunAsync("promote", "demo", "0003", "--registry", registry, "--force");
        Assert.That(forced, Is.EqualTo(0));
    }

    [Test]
    public async Task Evaluate_ByRegistryReference_ReportsContractFields()
    {
        var registry = Path.Combine(_folder, "registry");
        await Train(CliRunner.WriteCsv(_folder, "train.csv", 120), registry);
        var fresh = CliRunner.WriteCsv(_folder, "fresh.csv", 80, seed: 9);

        var (code, stdout, stderr) = await CliRunner.RunAsync("evaluate", "--model", Path.Combine(registry, "demo@champion"), "--data", fresh, "--target", "quality", "--tolerance", "0.5,1", "--json");

        Assert.That(code, Is.EqualTo(0), stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.That(root.GetProperty("rows").GetInt32(), Is.EqualTo(80));
        Assert.That(root.GetProperty("mae").GetDouble(), Is.LessThan(root.GetProperty("baseline").GetProperty("mae").GetDouble() / 3));
        Assert.That(root.GetProperty("accuracyWithin").GetProperty("1").GetDouble(), Is.GreaterThan(0.9));
        Assert.That(root.GetProperty("intervalCoverage").GetDouble(), Is.InRange(0.7, 1));
        Assert.That(root.TryGetProperty("rmse", out _) && root.TryGetProperty("r2", out _), Is.True);
    }

    [Test]
    public async Task Evaluate_TamperedArtifact_IsRefused()
    {
        var registry = Path.Combine(_folder, "registry");
        await Train(CliRunner.WriteCsv(_folder, "train.csv", 60), registry);
        var zip = Path.Combine(registry, "demo", "versions", "0001", "demo.zip");
        await File.AppendAllTextAsync(zip, "tampered");

        var (code, _, stderr) = await CliRunner.RunAsync("evaluate", "--model", Path.Combine(registry, "demo@champion"), "--data", CliRunner.WriteCsv(_folder, "fresh.csv", 20), "--target", "quality");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("artifact 'demo.zip' has SHA-256"));
    }
}
