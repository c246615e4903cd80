using System.Text.Json;
using QualityPrediction.Feedback;
using static QualityPrediction.Tests.Feedback.FeedbackTestData;

namespace QualityPrediction.Tests.Feedback;

public class IncrementalDatasetTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = NewFolder();

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Rows_appended_after_the_last_commit_are_cut_off_when_reopened()
    {
        var output = Path.Combine(_folder, "data.jsonl");
        await using (var dataset = IncrementalDataset.Open(output, "test"))
        {
            dataset.Append(Features(1), "quality", 10);
            await dataset.CommitAsync("1");
            dataset.Append(Features(2), "quality", 20); // the run dies before committing
        }

        await using (var dataset = IncrementalDataset.Open(output, "test"))
        {
            Assert.That(dataset.Watermark, Is.EqualTo("1"));
            Assert.That(dataset.Rows, Is.EqualTo(1));
            dataset.Append(Features(2), "quality", 20);
            await dataset.CommitAsync("2");
        }

        var targets = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("quality").GetDouble());
        Assert.That(targets, Is.EqualTo(new[] { 10.0, 20.0 }));
    }

    [Test]
    public async Task Refuses_a_watermark_of_another_source_or_an_output_changed_by_hand()
    {
        var output = Path.Combine(_folder, "data.jsonl");
        await using (var dataset = IncrementalDataset.Open(output, "a"))
        {
            dataset.Append(Features(1), "quality", 10);
            await dataset.CommitAsync("1");
        }

        Assert.That(() => IncrementalDataset.Open(output, "b"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("source 'a'"));
        await File.WriteAllTextAsync(output, "");
        Assert.That(() => IncrementalDataset.Open(output, "a"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("changed by hand"));
        var stranger = Path.Combine(_folder, "existing.jsonl");
        await File.WriteAllTextAsync(stranger, "{\"x\":1}\n");
        Assert.That(() => IncrementalDataset.Open(stranger, "a"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("without a watermark"));
    }

    [Test]
    public async Task Collect_writes_the_recorded_selection_probability_for_inverse_propensity_weighting()
    {
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = Path.Combine(_folder, "store") });
        var ranked = Prediction(1) with { SelectionProbability = 0.25 };
        var plain = Prediction(2);
        await store.WritePredictionsAsync([ranked, plain]);
        await store.WriteOutcomesAsync([Outcome(ranked, 70), Outcome(plain, 60)]);
        var output = Path.Combine(_folder, "out", "train.jsonl");

        await FeedbackCollector.CollectAsync(store, output);

        var rows = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(rows[0].GetProperty(FeedbackCollector.SelectionProbabilityColumn).GetDouble(), Is.EqualTo(0.25));
        Assert.That(rows[1].TryGetProperty(FeedbackCollector.SelectionProbabilityColumn, out _), Is.False);
    }

    [Test]
    public async Task Collects_the_embedded_store_incrementally()
    {
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = Path.Combine(_folder, "store") });
        var predictions = Enumerable.Range(0, 6).Select(i => Prediction(i)).ToList();
        await store.WritePredictionsAsync(predictions);
        await store.WriteOutcomesAsync(predictions.Take(4).Select(p => Outcome(p, 70)).ToList());
        var output = Path.Combine(_folder, "out", "train.jsonl");

        var first = await FeedbackCollector.CollectAsync(store, output);
        Assert.That((first.Appended, first.Rows), Is.EqualTo((4L, 4L)));
        Assert.That(first.Watermark, Is.EqualTo(await store.GetPositionAsync()), "the watermark is the store's position when the run started");
        await store.WriteOutcomesAsync(predictions.Skip(4).Select(p => Outcome(p, 80)).ToList());
        var second = await FeedbackCollector.CollectAsync(store, output);
        Assert.That((second.Appended, second.Rows), Is.EqualTo((2L, 6L)));
        Assert.That((await FeedbackCollector.CollectAsync(store, output)).Appended, Is.Zero);

        var rows = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(rows, Has.Count.EqualTo(6));
        Assert.That(rows[5].GetProperty("quality").GetDouble(), Is.EqualTo(80));
        Assert.That(rows[5].GetProperty("statValue").GetDouble(), Is.EqualTo(5));
        Assert.That(rows[5].GetProperty("provider").GetString(), Is.EqualTo("anthropic"));
    }

    private static Dictionary<string, FeatureValue> Features(int i) => new() { ["provider"] = "openai", ["statValue"] = i };
}
