using System.Globalization;
using System.Text.Json;
using System.CommandLine;
using System.Reflection;
using QualityPrediction.Feedback;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.PostgreSql.Tests.Cli;

/// <summary>`quality iterate` end to end, in process: real feedback files, real training, the registry's paired comparison.</summary>
[NonParallelizable]
public class IterateCommandTests
{
    private string _folder = null!;
    private string _registry = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-iterate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _registry = Path.Combine(_folder, "registry");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Promotes_a_candidate_that_beats_the_champion_beyond_noise_and_a_dry_run_changes_nothing()
    {
        // The champion is a linear model of a curved target; the candidate is boosted trees on more data.
        var seed = WriteRows(Path.Combine(_folder, "seed.jsonl"), Rows(0, 100));
        await Run("train", "--data", seed, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--registry", _registry, "--trainer", "sdca", "--folds", "2");
        var feedback = await WriteFeedbackAsync(Rows(100, 100));
        var dataset = Path.Combine(_folder, "dataset.jsonl");
        string[] iterate = ["iterate", "--registry", _registry, "--dataset", dataset, "--data", seed, "--feedback-folder", feedback, "--trainer", "fasttree", "--folds", "2"];

        var dry = await Run([.. iterate, "--dry-run", "--json"]);
        var dryResult = JsonDocument.Parse(dry).RootElement;
        Assert.That(dryResult.GetProperty("dryRun").GetBoolean(), Is.True);
        Assert.That(dryResult.GetProperty("promoted").GetBoolean(), Is.True, dryResult.GetProperty("decision").GetString());
        Assert.That(dryResult.GetProperty("collected").GetProperty("appended").GetInt64(), Is.EqualTo(100));
        Assert.That(dryResult.GetProperty("decision").GetString(), Does.StartWith("would promote version 0002"));
        Assert.That(ModelRegistry.ListVersions(_registry, "quality").Select(v => v.Version), Is.EqualTo(new[] { "0001" }), "a dry run adds no version");
        Assert.That(ModelRegistry.ReadAliases(_registry, "quality")[ModelRegistry.Champion], Is.EqualTo("0001"));

        Assert.That(File.Exists(dataset), Is.False, "a dry run collects into a temporary copy");

        var text = await Run(iterate);
        Assert.That(text, Does.Contain("Collected 100 new rows"), "the dry run collected nothing into the dataset");
        Assert.That(text, Does.Contain("Decision: promoted version 0002 to champion (was 0001)").And.Contain("better beyond noise"));
        Assert.That(ModelRegistry.ReadAliases(_registry, "quality")[ModelRegistry.Champion], Is.EqualTo("0002"));
        Assert.That(File.ReadLines(dataset).Count(), Is.EqualTo(100));
    }

    [Test]
    public async Task Keeps_the_champion_when_the_candidate_is_not_better_beyond_noise()
    {
        var seed = WriteRows(Path.Combine(_folder, "seed.jsonl"), Rows(0, 120));
        await Run("train", "--data", seed, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--registry", _registry, "--trainer", "fasttree", "--folds", "2");
        var dataset = Path.Combine(_folder, "dataset.jsonl");

        var output = await Run("iterate", "--registry", _registry, "--dataset", dataset, "--data", seed, "--skip-collect", "--trainer", "sdca", "--folds", "2", "--json");
        var result = JsonDocument.Parse(output).RootElement;
        Assert.That(result.GetProperty("promoted").GetBoolean(), Is.False);
        Assert.That(result.GetProperty("comparison").GetProperty("betterBeyondNoise").GetBoolean(), Is.False);
        Assert.That(result.GetProperty("comparison").GetProperty("rows").GetInt32(), Is.EqualTo(120), "compared on the same rows");
        Assert.That(result.GetProperty("decision").GetString(), Does.StartWith("not promoted: champion stays 0001; version 0002 is the challenger"));
        var aliases = ModelRegistry.ReadAliases(_registry, "quality");
        Assert.That(aliases[ModelRegistry.Champion], Is.EqualTo("0001"));
        Assert.That(aliases[ModelRegistry.Challenger], Is.EqualTo("0002"));
    }

    [Test]
    public async Task Does_not_train_on_too_few_rows_and_the_first_version_becomes_champion()
    {
        var feedback = await WriteFeedbackAsync(Rows(0, 30));
        var dataset = Path.Combine(_folder, "dataset.jsonl");
        var few = await Run("iterate", "--registry", _registry, "--dataset", dataset, "--feedback-folder", feedback, "--min-rows", "50");
        Assert.That(few, Does.Contain("not trained: 30 rows available, fewer than --min-rows 50"));
        Assert.That(ModelRegistry.ListVersions(_registry, "quality"), Is.Empty);

        var first = await Run("iterate", "--registry", _registry, "--dataset", dataset, "--feedback-folder", feedback, "--min-rows", "20", "--trainer", "sdca", "--folds", "2");
        Assert.That(first, Does.Contain("version 0001 is the first version of 'quality' and became the champion"));
        Assert.That(ModelRegistry.ReadAliases(_registry, "quality")[ModelRegistry.Champion], Is.EqualTo("0001"));
    }

    [Test]
    public async Task A_dry_run_leaves_the_dataset_its_watermark_and_the_registry_byte_identical()
    {
        var seed = WriteRows(Path.Combine(_folder, "seed.jsonl"), Rows(0, 60));
        await Run("train", "--data", seed, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--registry", _registry, "--trainer", "sdca", "--folds", "2");
        var dataset = Path.Combine(_folder, "dataset.jsonl");
        var feedback = await WriteFeedbackAsync(Rows(60, 60));
        await Run("collect", "--output", dataset, "--feedback-folder", feedback);
        await WriteFeedbackAsync(Rows(120, 30));
        var before = Snapshot(dataset);
        Assert.That(before.Keys, Has.Some.EndsWith(".watermark.json").And.Some.EndsWith("aliases.json").And.Some.EndsWith("run.json"));

        var output = await Run("iterate", "--registry", _registry, "--dataset", dataset, "--data", seed, "--feedback-folder", feedback, "--trainer", "sdca", "--folds", "2", "--dry-run");

        Assert.That(output, Does.Contain($"Collected 30 new rows into a temporary copy of {dataset} (90 in total); dry run: the dataset and its watermark are unchanged."));
        Assert.That(output, Does.Contain("Dry run (dataset, watermark and registry unchanged): "));
        var after = Snapshot(dataset);
        Assert.That(after.Keys, Is.EquivalentTo(before.Keys), "no file added or removed");
        foreach (var (path, bytes) in before)
        {
            Assert.That(after[path], Is.EqualTo(bytes), $"{path} changed");
        }
    }

    [Test]
    public async Task Passes_propensity_weights_on_and_never_trains_the_selection_probability()
    {
        var feedback = await WriteFeedbackAsync(Rows(0, 80), selectionProbability: 0.25);
        var dataset = Path.Combine(_folder, "dataset.jsonl");

        var output = await Run("iterate", "--registry", _registry, "--dataset", dataset, "--feedback-folder", feedback, "--min-rows", "20", "--trainer", "fasttree", "--folds", "2",
            "--propensity", "selectionProbability", "--json");

        Assert.That(JsonDocument.Parse(output).RootElement.GetProperty("version").GetString(), Is.EqualTo("0001"));
        var manifest = QualityPrediction.Models.ModelManifest.Load(ModelRegistry.ListVersions(_registry, "quality")[0].ManifestPath);
        Assert.That(manifest.Features.Select(f => f.Name), Is.EquivalentTo(new[] { "x", "z", "provider" }), "selectionProbability is bookkeeping, never a feature");
        Assert.That(manifest.Trainer!.Parameters["rowWeights"], Is.EqualTo("min(1/selectionProbability, 20)"));
    }

    [Test]
    public async Task Refuses_a_feature_of_the_extra_data_that_no_served_context_carries()
    {
        var extra = WriteRows(Path.Combine(_folder, "offline.jsonl"), [.. Rows(0, 60).Select(r => (new Dictionary<string, FeatureValue>(r.Features) { ["offlineOnly"] = 1.5 }, r.Quality))]);
        var feedback = await WriteFeedbackAsync(Rows(60, 60));
        var dataset = Path.Combine(_folder, "dataset.jsonl");

        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await Cli().Parse(["iterate", "--registry", _registry, "--dataset", dataset, "--data", extra, "--feedback-folder", feedback, "--trainer", "sdca", "--folds", "2"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.That(code, Is.EqualTo(2), error.ToString());
        Assert.That(error.ToString(), Does.Contain("feature 'offlineOnly' of the training data is in none of the logged serving contexts"));
        Assert.That(ModelRegistry.ListVersions(_registry, "quality"), Is.Empty);
    }

    /// <summary>The bytes of the dataset, its watermark and every file of the registry.</summary>
    private Dictionary<string, byte[]> Snapshot(string dataset) =>
        Directory.EnumerateFiles(_registry, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(_folder, Path.GetFileName(dataset) + "*"))
            .ToDictionary(p => p, File.ReadAllBytes);

    private static async Task<string> Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await Cli().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        Assert.That(code, Is.Zero, $"quality {string.Join(' ', args)} failed:\n{error}\n{output}");
        return output.ToString();
    }

    /// <summary>The CLI's train and iterate commands, as the tool builds them (its types are internal: reached by reflection).</summary>
    private static RootCommand Cli()
    {
        var assembly = Assembly.Load("quality");
        Command Create(string type) => (Command)assembly.GetType($"QualityPrediction.Cli.Commands.{type}", throwOnError: true)!.GetMethod("Create")!.Invoke(null, null)!;
        return new RootCommand { Create("TrainCommand"), Create("IterateCommand"), Create("CollectCommand") };
    }

    /// <summary>A curved target: a linear model misses the sine, trees follow it. Deterministic.</summary>
    private static List<(Dictionary<string, FeatureValue> Features, double Quality)> Rows(int start, int count)
    {
        var random = new Random(17 + start);
        var rows = new List<(Dictionary<string, FeatureValue>, double)>();
        for (var i = 0; i < count; i++)
        {
            var x = Math.Round(random.NextDouble() * 100, 3);
            var z = Math.Round(random.NextDouble() * 10, 3);
            var provider = (start + i) % 3 == 0 ? "openai" : "anthropic";
            var quality = Math.Round(50 + (35 * Math.Sin(x / 8)) + z + (random.NextDouble() * 2), 3);
            rows.Add((new Dictionary<string, FeatureValue> { ["x"] = x, ["z"] = z, ["provider"] = provider }, quality));
        }

        return rows;
    }

    private static string WriteRows(string path, List<(Dictionary<string, FeatureValue> Features, double Quality)> rows)
    {
        File.WriteAllLines(path, rows.Select(r =>
        {
            var record = r.Features.ToDictionary(f => f.Key, f => f.Value.Category is { } c ? (object)c : f.Value.Number);
            record["quality"] = r.Quality;
            return JsonSerializer.Serialize(record);
        }));
        return path;
    }

    private async Task<string> WriteFeedbackAsync(List<(Dictionary<string, FeatureValue> Features, double Quality)> rows, double? selectionProbability = null)
    {
        var folder = Path.Combine(_folder, "feedback");
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = folder });
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var predictions = rows.Select((r, i) => new PredictionRecord
        {
            PredictionId = Guid.NewGuid(),
            Features = r.Features,
            Score = 50,
            Source = PredictionSource.Heuristic,
            Timestamp = start.AddSeconds(i),
            SelectionProbability = selectionProbability,
        }).ToList();
        await store.WritePredictionsAsync(predictions);
        await store.WriteOutcomesAsync(predictions.Select((p, i) => new OutcomeRecord(p.PredictionId, rows[i].Quality, p.Timestamp.AddMinutes(1))).ToList());
        return folder;
    }
}
