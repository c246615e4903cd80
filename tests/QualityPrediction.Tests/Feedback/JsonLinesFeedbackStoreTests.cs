using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using QualityPrediction.Feedback;
using static QualityPrediction.Tests.Feedback.FeedbackTestData;

namespace QualityPrediction.Tests.Feedback;

public class JsonLinesFeedbackStoreTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = NewFolder();

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Round_trips_predictions_joined_with_outcomes()
    {
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder });
        var predictions = Enumerable.Range(0, 5).Select(i => Prediction(i)).ToList();
        predictions[1] = predictions[1] with { SelectionProbability = 0.25, Source = PredictionSource.Heuristic, ModelVersion = null };
        await store.WritePredictionsAsync(predictions);
        await store.WriteOutcomesAsync([Outcome(predictions[1], 61.5), Outcome(predictions[3], 40), new OutcomeRecord(Guid.NewGuid(), 1, Start)]);

        var rows = await store.ReadJoinedAsync().ToListAsync();
        Assert.That(rows.Select(r => r.Position), Is.EqualTo(new long[] { 1, 2 }));
        var first = rows[0];
        Assert.Multiple(() =>
        {
            Assert.That(first.Prediction.PredictionId, Is.EqualTo(predictions[1].PredictionId));
            Assert.That(first.Prediction.Features["provider"], Is.EqualTo((FeatureValue)"anthropic"));
            Assert.That(first.Prediction.Features["statValue"], Is.EqualTo((FeatureValue)1));
            Assert.That(first.Prediction.SelectionProbability, Is.EqualTo(0.25));
            Assert.That(first.Prediction.Source, Is.EqualTo(PredictionSource.Heuristic));
            Assert.That(first.Prediction.ModelVersion, Is.Null);
            Assert.That(first.Prediction.Timestamp, Is.EqualTo(predictions[1].Timestamp));
            Assert.That(first.Outcome.Observed, Is.EqualTo(61.5));
        });
        Assert.That(await store.ReadJoinedAsync(afterPosition: 1).Select(r => r.Outcome.Observed).ToListAsync(), Is.EqualTo(new[] { 40.0 }));
        Assert.That(await store.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(5, 3, 2)));
    }

    [Test]
    public async Task Writing_the_same_ids_again_stores_them_once()
    {
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder });
        var predictions = Enumerable.Range(0, 3).Select(i => Prediction(i)).ToList();
        await store.WritePredictionsAsync(predictions);
        await store.WritePredictionsAsync(predictions);
        await store.WriteOutcomesAsync([Outcome(predictions[0], 10)]);
        await store.WriteOutcomesAsync([Outcome(predictions[0], 99), Outcome(predictions[2], 20)]);

        Assert.That(await store.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(3, 2, 2)));
        var rows = await store.ReadJoinedAsync().ToListAsync();
        Assert.That(rows.Select(r => r.Outcome.Observed), Is.EqualTo(new[] { 10.0, 20.0 }), "the first outcome of an id wins");
    }

    [Test]
    public async Task Survives_a_restart_after_a_torn_last_line()
    {
        var predictions = Enumerable.Range(0, 6).Select(i => Prediction(i)).ToList();
        using (var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder }))
        {
            await store.WritePredictionsAsync(predictions[..3]);
        }

        // A crash in the middle of a write leaves half a line.
        var file = Directory.GetFiles(_folder, "predictions-*.jsonl").Single();
        await File.AppendAllTextAsync(file, "{\"id\":\"" + Guid.NewGuid() + "\",\"predictor\":\"\",\"feat", Encoding.UTF8);

        var logs = new FakeLogCollector();
        using var logger = new FakeLoggerProvider(logs);
        using (var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder }, new Logger<JsonLinesFeedbackStore>(new LoggerFactory([logger]))))
        {
            await store.WritePredictionsAsync(predictions[3..]);
            var counts = await store.GetCountsAsync();
            Assert.That(counts.Predictions, Is.EqualTo(6), "the torn line is skipped; the lines after it are intact");
        }

        var warnings = logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        Assert.That(warnings, Has.Some.Contains("torn line"));
        Assert.That(warnings, Has.Some.Contains("line 4: not valid JSON"));
    }

    [Test]
    public async Task A_torn_tail_is_skipped_by_a_reader_without_reopening_for_writes()
    {
        using (var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder }))
        {
            await store.WritePredictionsAsync([Prediction(1), Prediction(2)]);
        }

        var file = Directory.GetFiles(_folder, "predictions-*.jsonl").Single();
        await File.AppendAllTextAsync(file, "{\"id\":", Encoding.UTF8);
        using var reader = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder });
        Assert.That((await reader.GetCountsAsync()).Predictions, Is.EqualTo(2));
    }

    [Test]
    public async Task Rotates_files_by_size_and_reads_across_them_in_order()
    {
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder, MaxFileBytes = 1024 });
        var predictions = Enumerable.Range(0, 40).Select(i => Prediction(i)).ToList();
        foreach (var chunk in predictions.Chunk(4))
        {
            await store.WritePredictionsAsync(chunk);
            await store.WriteOutcomesAsync(chunk.Select(p => Outcome(p, p.Score + 1)).ToList());
        }

        Assert.That(Directory.GetFiles(_folder, "predictions-*.jsonl"), Has.Length.GreaterThan(3));
        Assert.That(Directory.GetFiles(_folder, "predictions-*.jsonl").Select(f => new FileInfo(f).Length), Has.All.LessThanOrEqualTo(1024));
        var rows = await store.ReadJoinedAsync().ToListAsync();
        Assert.That(rows.Select(r => r.Prediction.PredictionId), Is.EqualTo(predictions.Select(p => p.PredictionId)));
        Assert.That(rows.Select(r => r.Position), Is.EqualTo(Enumerable.Range(1, 40).Select(i => (long)i)));
    }

    [Test]
    public void Rejects_bad_options()
    {
        Assert.Throws<ArgumentException>(() => new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = " " }));
        Assert.Throws<ArgumentException>(() => new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder, MaxFileBytes = 10 }));
    }
}
