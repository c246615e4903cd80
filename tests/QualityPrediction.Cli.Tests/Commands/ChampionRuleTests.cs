using System.Globalization;
using System.Text;
using System.Text.Json;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Tests.Commands;

/// <summary>A model worse than the constant baseline or the fitted heuristic is never made champion, and train says so loudly; bookkeeping columns are never features.</summary>
public sealed class ChampionRuleTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-cli-champion-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task A_first_version_worse_than_the_baseline_is_not_made_champion_and_train_warns()
    {
        // The target is noise: whatever the model fits in eight noise features only adds error to the training mean.
        var random = new Random(3);
        var text = new StringBuilder("provider,f1,f2,f3,f4,f5,f6,f7,f8,quality\n");
        for (var i = 0; i < 80; i++)
        {
            text.Append(i % 2 == 0 ? "openai" : "anthropic");
            for (var f = 0; f < 8; f++)
            {
                text.Append(CultureInfo.InvariantCulture, $",{random.NextDouble():F4}");
            }

            text.Append(CultureInfo.InvariantCulture, $",{50 + (random.NextDouble() * 20):F3}\n");
        }

        var data = Path.Combine(_folder, "noise.csv");
        await File.WriteAllTextAsync(data, text.ToString());
        var registry = Path.Combine(_folder, "registry");

        var (code, stdout, stderr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--registry", registry,
            "--trainer", "fastforest", "--folds", "4", "--json");

        Assert.That(code, Is.EqualTo(0), stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.That(root.GetProperty("cv").GetProperty("mae").GetDouble(), Is.GreaterThanOrEqualTo(root.GetProperty("baseline").GetProperty("mae").GetDouble()), "the data must make the model worse than the baseline");
        Assert.That(stderr, Does.Contain("WARNING: model quality 0001").And.Contain("is NOT better than the constant baseline"));
        Assert.That(root.GetProperty("notBetterThan").GetArrayLength(), Is.GreaterThan(0));
        Assert.That(ModelRegistry.ReadAliases(registry, "quality").ContainsKey(ModelRegistry.Champion), Is.False, "no champion");
        Assert.That(ModelRegistry.ReadAliases(registry, "quality")[ModelRegistry.Challenger], Is.EqualTo("0001"));

        var (promote, _, promoteErr) = await CliRunner.RunAsync("promote", "quality", "0001", "--registry", registry);
        Assert.That(promote, Is.EqualTo(4), "promote refuses it too");
        Assert.That(promoteErr, Does.Contain("not better than the constant baseline"));
    }

    [Test]
    public async Task A_selection_probability_column_is_never_a_feature()
    {
        var data = Path.Combine(_folder, "logged.jsonl");
        var random = new Random(5);
        await File.WriteAllLinesAsync(data, Enumerable.Range(0, 60).Select(i =>
        {
            var a = random.NextDouble() * 4;
            return string.Create(CultureInfo.InvariantCulture, $"{{\"a\":{a:R},\"kind\":\"{(i % 2 == 0 ? "x" : "y")}\",\"selectionProbability\":{(i % 3 == 0 ? 0.9 : 0.05)},\"quality\":{2 + a:R}}}");
        }));
        var output = Path.Combine(_folder, "out");

        var (code, stdout, stderr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", output, "--trainer", "sdca", "--folds", "2", "--inner-folds", "2");

        Assert.That(code, Is.EqualTo(0), stderr);
        var manifest = QualityPrediction.Models.ModelManifest.Load(Path.Combine(output, "quality.model.json"));
        Assert.That(manifest.Features.Select(f => f.Name), Is.EquivalentTo(new[] { "a", "kind" }));
        Assert.That(stdout, Does.Contain("selectionProbability: bookkeeping, never a feature (--propensity selectionProbability weights the rows by it)"));
    }

    [Test]
    public async Task A_feature_that_no_serving_context_carries_is_refused_unless_allowed()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 60);
        var served = Path.Combine(_folder, "served.jsonl");
        await File.WriteAllLinesAsync(served, ["{\"a\":1.5,\"kind\":\"x\",\"quality\":3}"]);
        string[] train = ["train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--trainer", "sdca", "--folds", "2", "--inner-folds", "2", "--serving-contexts", served];

        var (refused, _, refusedErr) = await CliRunner.RunAsync(train);
        var (allowed, _, allowedErr) = await CliRunner.RunAsync([.. train, "--allow-unserved-features"]);

        Assert.That(refused, Is.EqualTo(2), refusedErr);
        Assert.That(refusedErr, Does.Contain("feature 'b' of the training data is in none of the logged serving contexts").And.Contain("--ignore b"));
        Assert.That(allowed, Is.EqualTo(0), allowedErr);
        Assert.That(allowedErr, Does.Contain("WARNING: feature 'b'"));
    }

    [Test]
    public void The_console_samples_shipped_model_is_better_than_its_heuristic_and_baseline()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "QualityPrediction.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("the repository root was not found");
        }

        var manifest = QualityPrediction.Models.ModelManifest.Load(Path.Combine(root, "samples", "QualityPrediction.Sample", "models", "narration.model.json"));
        var skill = ModelSkill.FromManifest(manifest);

        Assert.That(skill, Is.Not.Null);
        Assert.That(skill!.HeuristicMae, Is.Not.Null);
        Assert.That(skill.NotBetterThan, Is.Empty, $"CV MAE {skill.Mae}, heuristic {skill.HeuristicMae}, baseline {skill.BaselineMae}");
    }
}
