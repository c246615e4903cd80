using System.Text;
using System.Text.Json;
using QualityPrediction.Feedback;
using QualityPrediction.Models;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Tests.Commands;

/// <summary><c>quality status</c> over the embedded feedback store, a collected dataset and a registry.</summary>
public sealed class StatusCommandTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-cli-status-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task EmbeddedStore_ReportsCountsBacklogDatasetAndHandComputedRollingMetrics()
    {
        var feedback = Path.Combine(_folder, "feedback");
        var dataset = Path.Combine(_folder, "dataset.jsonl");
        // (source, version, score, observed): model 0001 errors 10, 2, 3 (MAE 5, 2 of 3 within 5); heuristic errors 0, 15 (MAE 7.5, 1 of 2).
        var p = new[]
        {
            Prediction(0, PredictionSource.Model, "0001", 50),
            Prediction(1, PredictionSource.Model, "0001", 70),
            Prediction(2, PredictionSource.Model, "0001", 40),
            Prediction(3, PredictionSource.Heuristic, null, 55),
            Prediction(4, PredictionSource.Heuristic, null, 20),
            Prediction(5, PredictionSource.Model, "0001", 60),
        };
        using (var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = feedback }))
        {
            await store.WritePredictionsAsync(p);
            await store.WriteOutcomesAsync([Outcome(p[0], 60), Outcome(p[1], 68), Outcome(p[2], 43)]);
        }

        var (collectCode, _, collectErr) = await CliRunner.RunAsync("collect", "--output", dataset, "--feedback-folder", feedback);
        Assert.That(collectCode, Is.EqualTo(0), collectErr);
        using (var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = feedback }))
        {
            // Two more joined rows after the collection, and an outcome whose prediction is not in the store.
            await store.WriteOutcomesAsync([Outcome(p[3], 55), Outcome(p[4], 35), new OutcomeRecord(Guid.NewGuid(), 1, Start)]);
        }

        var spill = Path.Combine(_folder, "spill");
        Directory.CreateDirectory(spill);
        await WriteSpillAsync(Path.Combine(spill, "feedback-spill.jsonl"), Prediction(9, PredictionSource.Model, "0001", 1));

        var (code, stdout, stderr) = await CliRunner.RunAsync("status", "--feedback-folder", feedback, "--dataset", dataset, "--spill-folder", spill, "--json");
        Assert.That(code, Is.EqualTo(0), stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;

        var data = root.GetProperty("dataset");
        Assert.That(data.GetProperty("rows").GetInt64(), Is.EqualTo(3));
        Assert.That(JsonDocument.Parse(data.GetProperty("watermark").GetProperty("watermark").GetString()!).RootElement.GetProperty("files").EnumerateObject().Count(), Is.EqualTo(2), "the store's position: the prediction and outcome files collected");
        Assert.That(data.GetProperty("watermark").GetProperty("source").GetString(), Is.EqualTo("feedback-store"));

        var store1 = root.GetProperty("store");
        Assert.That(store1.GetProperty("kind").GetString(), Is.EqualTo("embedded"));
        Assert.That(store1.GetProperty("reachable").GetBoolean(), Is.True);
        Assert.That(store1.GetProperty("predictions").GetInt64(), Is.EqualTo(6));
        Assert.That(store1.GetProperty("outcomes").GetInt64(), Is.EqualTo(6));
        Assert.That(store1.GetProperty("joined").GetInt64(), Is.EqualTo(5));
        Assert.That(store1.GetProperty("predictionsWithoutOutcome").GetInt64(), Is.EqualTo(1));
        Assert.That(store1.GetProperty("outcomesWithoutPrediction").GetInt64(), Is.EqualTo(1));
        Assert.That(store1.GetProperty("notYetCollected").GetInt64(), Is.EqualTo(2));
        Assert.That(store1.GetProperty("spill").GetProperty("predictions").GetInt64(), Is.EqualTo(1));
        Assert.That(store1.GetProperty("spill").GetProperty("outcomes").GetInt64(), Is.EqualTo(1));
        Assert.That(store1.GetProperty("spill").GetProperty("pending").GetInt64(), Is.EqualTo(2));

        var monitor = root.GetProperty("monitor");
        Assert.That(monitor.GetProperty("rows").GetInt32(), Is.EqualTo(5));
        var metrics = monitor.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("source").GetString()!);
        Assert.That(metrics.Keys, Is.EquivalentTo(new[] { "model", "heuristic" }));
        Assert.That(metrics["model"].GetProperty("modelVersion").GetString(), Is.EqualTo("0001"));
        Assert.That(metrics["model"].GetProperty("count").GetInt32(), Is.EqualTo(3));
        Assert.That(metrics["model"].GetProperty("mae").GetDouble(), Is.EqualTo(5).Within(1e-9));
        Assert.That(metrics["model"].GetProperty("accuracy").GetDouble(), Is.EqualTo(2.0 / 3).Within(1e-9));
        Assert.That(metrics["heuristic"].GetProperty("mae").GetDouble(), Is.EqualTo(7.5).Within(1e-9));
        Assert.That(metrics["heuristic"].GetProperty("accuracy").GetDouble(), Is.EqualTo(0.5).Within(1e-9));
        Assert.That(root.GetProperty("models").GetArrayLength(), Is.Zero);
        Assert.That(root.GetProperty("lastRun").ValueKind, Is.EqualTo(JsonValueKind.Null));

        // The window covers the most recent joined rows only: the last two are both heuristic.
        var (windowCode, windowOut, _) = await CliRunner.RunAsync("status", "--feedback-folder", feedback, "--window", "2", "--tolerance", "20", "--json");
        Assert.That(windowCode, Is.EqualTo(0));
        using var windowJson = JsonDocument.Parse(windowOut);
        var only = windowJson.RootElement.GetProperty("monitor").GetProperty("metrics").EnumerateArray().Single();
        Assert.That(only.GetProperty("source").GetString(), Is.EqualTo("heuristic"));
        Assert.That(only.GetProperty("mae").GetDouble(), Is.EqualTo(7.5).Within(1e-9));
        Assert.That(only.GetProperty("accuracy").GetDouble(), Is.EqualTo(1.0), "both errors are within --tolerance 20");

        var (textCode, text, _) = await CliRunner.RunAsync("status", "--feedback-folder", feedback, "--dataset", dataset, "--spill-folder", spill);
        Assert.That(textCode, Is.EqualTo(0));
        Assert.That(text, Does.Contain("dataset " + dataset + ": 3 rows; watermark (the position in 2 store files) from feedback-store"));
        Assert.That(text, Does.Contain("6 predictions, 6 outcomes, 5 rows for training, 1 predictions without outcome"));
        Assert.That(text, Does.Contain("2 rows for training not yet collected into the dataset"));
        Assert.That(text, Does.Contain("2 records waiting for replay"));
        Assert.That(text, Does.Contain("model demo 0001: 3 outcomes, MAE 5.000, within ±5 66.7%"));
    }

    [Test]
    public async Task Registry_AndModel_ReportLastRunAndDriftAgainstTheManifestsTrainingStatistics()
    {
        var data = CliRunner.WriteCsv(_folder, "train.csv", 120);
        var registry = Path.Combine(_folder, "registry");
        var (trainCode, _, trainErr) = await CliRunner.RunAsync("train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--name", "demo", "--trainer", "sdca", "--folds", "2", "--inner-folds", "2", "--registry", registry);
        Assert.That(trainCode, Is.EqualTo(0), trainErr);
        var manifest = ModelManifest.Load(ModelRegistry.ResolveManifest(Path.Combine(registry, "demo@champion")));
        var run = ModelRegistry.ListRuns(registry).Single();

        // Live traffic: 'b' and 'kind' as in training (b uniform in 0–4), 'a' shifted far above its training range (0–4).
        var feedback = Path.Combine(_folder, "feedback");
        var random = new Random(3);
        var predictions = Enumerable.Range(0, 200).Select(i => new PredictionRecord
        {
            PredictionId = Guid.NewGuid(),
            Features = new Dictionary<string, FeatureValue> { ["a"] = 50 + random.NextDouble(), ["b"] = random.NextDouble() * 4, ["kind"] = i % 2 == 0 ? "x" : "y" },
            Score = 3,
            Source = PredictionSource.Model,
            ModelName = manifest.Name,
            ModelVersion = manifest.Version,
            Timestamp = Start.AddSeconds(i),
        }).ToList();
        using (var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = feedback }))
        {
            await store.WritePredictionsAsync(predictions);
            await store.WriteOutcomesAsync([.. predictions.Select(x => Outcome(x, 3.5))]);
        }

        var reference = Path.Combine(registry, "demo@champion");
        var (code, stdout, stderr) = await CliRunner.RunAsync("status", "--model", reference, "--registry", registry, "--feedback-folder", feedback, "--min-drift-samples", "50", "--json");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;

        var lastRun = root.GetProperty("lastRun");
        Assert.That(lastRun.GetProperty("id").GetString(), Is.EqualTo(run.Id));
        Assert.That(lastRun.GetProperty("version").GetString(), Is.EqualTo(run.Version));
        Assert.That(lastRun.GetProperty("rows").GetInt64(), Is.EqualTo(120));

        var metric = root.GetProperty("monitor").GetProperty("metrics").EnumerateArray().Single();
        Assert.That(metric.GetProperty("mae").GetDouble(), Is.EqualTo(0.5).Within(1e-9));
        Assert.That(metric.GetProperty("tolerance").GetDouble(), Is.EqualTo(manifest.Target.Tolerance), "the manifest's tolerance applies to its version");

        var drift = root.GetProperty("monitor").GetProperty("drift").EnumerateArray().ToDictionary(d => d.GetProperty("feature").GetString()!);
        Assert.That(drift["a"].GetProperty("samples").GetInt32(), Is.EqualTo(200));
        Assert.That(drift["a"].GetProperty("psi").GetDouble(), Is.GreaterThan(1), "every value of 'a' falls in the top training bin");
        Assert.That(drift["b"].GetProperty("psi").GetDouble(), Is.LessThan(0.25), "'b' is drawn like the training data");
        Assert.That(drift["kind"].GetProperty("psi").GetDouble(), Is.LessThan(0.1), "'kind' alternates as in training");

        var (textCode, text, _) = await CliRunner.RunAsync("status", "--model", reference, "--registry", registry, "--feedback-folder", feedback, "--min-drift-samples", "50");
        Assert.That(textCode, Is.EqualTo(0));
        Assert.That(text, Does.Contain($"last training run {run.Id}: model demo version {run.Version}"));
        Assert.That(text, Does.Match(@"drift demo \S+ a \(numeric\): PSI \d+\.\d{3} over 200 values SIGNIFICANT"));
    }

    [Test]
    public async Task BadInputs_AreReportedWithTheirExitCodes()
    {
        var (none, _, noneErr) = await CliRunner.RunAsync("status");
        Assert.That(none, Is.EqualTo(1));
        Assert.That(noneErr, Does.Contain("Give at least one of --model, --registry, --dataset, --feedback-folder or --connection-string-env."));

        var missing = Path.Combine(_folder, "nope");
        var (folderCode, _, folderErr) = await CliRunner.RunAsync("status", "--feedback-folder", missing);
        Assert.That(folderCode, Is.EqualTo(2));
        Assert.That(folderErr, Does.Contain($"--feedback-folder: folder '{missing}' does not exist."));

        var dataset = Path.Combine(_folder, "d.jsonl");
        File.WriteAllText(dataset, "{\"a\":1,\"quality\":2}\n");
        File.WriteAllText(dataset + ".watermark.json", "{\"source\":\"feedback-store\"}");
        var (markCode, _, markErr) = await CliRunner.RunAsync("status", "--dataset", dataset);
        Assert.That(markCode, Is.EqualTo(2));
        Assert.That(markErr, Does.Contain($"Watermark file '{dataset}.watermark.json' is malformed"));

        var (unset, _, unsetErr) = await CliRunner.RunAsync("status", "--connection-string-env", "QP_STATUS_TEST_UNSET_" + Guid.NewGuid().ToString("N"));
        Assert.That(unset, Is.EqualTo(2));
        Assert.That(unsetErr, Does.Contain("is not set"));

        var fresh = Path.Combine(_folder, "fresh.jsonl");
        var (freshCode, freshOut, _) = await CliRunner.RunAsync("status", "--dataset", fresh);
        Assert.That(freshCode, Is.EqualTo(0));
        Assert.That(freshOut, Does.Contain("does not exist yet"));
    }

    private static PredictionRecord Prediction(int i, PredictionSource source, string? version, double score) => new()
    {
        PredictionId = Guid.NewGuid(),
        Features = new Dictionary<string, FeatureValue> { ["a"] = i, ["kind"] = i % 2 == 0 ? "x" : "y" },
        Score = score,
        Source = source,
        ModelName = version is null ? null : "demo",
        ModelVersion = version,
        Timestamp = Start.AddSeconds(i),
    };

    private static OutcomeRecord Outcome(PredictionRecord prediction, double observed) => new(prediction.PredictionId, observed, prediction.Timestamp.AddMinutes(1));

    /// <summary>Writes a spill file as the feedback writer does: one prediction and one outcome waiting for replay.</summary>
    private static async Task WriteSpillAsync(string path, PredictionRecord prediction)
    {
        using var buffer = new MemoryStream();
        foreach (var (name, write) in new (string, Action<Utf8JsonWriter>)[]
        {
            ("prediction", w => FeedbackJson.WritePrediction(w, prediction)),
            ("outcome", w => FeedbackJson.WriteOutcome(w, Outcome(prediction, 2))),
        })
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WritePropertyName(name);
                write(writer);
                writer.WriteEndObject();
            }

            buffer.Write("\n"u8);
        }

        await File.WriteAllTextAsync(path, Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
