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
        Assert.That(rows.Select(r => r.Prediction.PredictionId), Is.EqualTo(new[] { predictions[1].PredictionId, predictions[3].PredictionId }));
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
        var position = await store.GetPositionAsync();
        Assert.That(await store.ReadJoinedAsync(after: position).CountAsync(), Is.Zero, "nothing is new after the position of now");
        await store.WriteOutcomesAsync([Outcome(predictions[4], 7)]);
        Assert.That(await store.ReadJoinedAsync(after: position).Select(r => r.Outcome.Observed).ToListAsync(), Is.EqualTo(new[] { 7.0 }));
        Assert.That(await store.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(5, 4, 3)));
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

        // The torn line stays at the end of the dead writer's file, where readers never take it; a new writer writes its own file.
        Assert.That(Directory.GetFiles(_folder, "predictions-*.jsonl"), Has.Length.EqualTo(2));
        Assert.That(await new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder }).ReadJoinedAsync().CountAsync(), Is.Zero);
    }

    [Test]
    public async Task A_bad_line_in_the_middle_of_a_file_is_skipped_with_a_warning_naming_the_file_and_place()
    {
        var predictions = Enumerable.Range(0, 2).Select(i => Prediction(i)).ToList();
        var file = Path.Combine(_folder, "predictions-000001.jsonl");
        await File.WriteAllTextAsync(file, Line(FeedbackJson.WritePrediction, predictions[0]) + "{\"id\":\"" + Guid.NewGuid() + "\",\"feat\n" + Line(FeedbackJson.WritePrediction, predictions[1]));
        await File.WriteAllTextAsync(Path.Combine(_folder, "outcomes-000001.jsonl"), string.Concat(predictions.Select(p => Line(FeedbackJson.WriteOutcome, Outcome(p, 1)))));

        var logs = new FakeLogCollector();
        using var loggers = new LoggerFactory([new FakeLoggerProvider(logs)]);
        using var reader = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder }, loggers.CreateLogger<JsonLinesFeedbackStore>());
        Assert.That(await reader.ReadJoinedAsync().CountAsync(), Is.EqualTo(2), "the lines after the bad one are read");
        var warning = logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).Single();
        Assert.That(warning, Does.Contain("predictions-000001.jsonl").And.Contain("at byte ").And.Contain("not valid JSON"));
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
    }

    [Test]
    public async Task An_outcome_stored_before_its_prediction_is_read_once_its_prediction_arrives()
    {
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder, MaxFileBytes = 1024 });
        var early = Prediction(1);
        var late = Prediction(2);
        var third = Prediction(3);
        await store.WritePredictionsAsync([early, third]);
        await store.WriteOutcomesAsync([Outcome(early, 10), Outcome(late, 20), Outcome(third, 30)]); // late's prediction is still elsewhere (another replica's spill)
        var first = await store.GetPositionAsync();
        Assert.That(await store.ReadJoinedAsync(null, first).Select(r => r.Outcome.Observed).ToListAsync(), Is.EqualTo(new[] { 10.0, 30.0 }));

        await store.WritePredictionsAsync([late]);
        var second = await store.GetPositionAsync();
        Assert.That(await store.ReadJoinedAsync(first, second).Select(r => r.Outcome.Observed).ToListAsync(), Is.EqualTo(new[] { 20.0 }), "completed by its prediction");
        Assert.That(await store.ReadJoinedAsync(second).CountAsync(), Is.Zero);
        Assert.That(await store.ReadJoinedAsync(null, second).CountAsync(), Is.EqualTo(3));
    }

    [Test]
    public async Task Two_writers_on_one_folder_write_their_own_files_and_readers_see_both()
    {
        using var a = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder, MaxFileBytes = 2048 });
        using var b = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder, MaxFileBytes = 2048 });
        var predictions = Enumerable.Range(0, 400).Select(i => Prediction(i)).ToList();
        await Task.WhenAll(
            Task.Run(async () => { foreach (var chunk in predictions.Take(200).Chunk(3)) { await a.WritePredictionsAsync(chunk); await a.WriteOutcomesAsync(chunk.Select(p => Outcome(p, 1)).ToList()); } }),
            Task.Run(async () => { foreach (var chunk in predictions.Skip(200).Chunk(5)) { await b.WritePredictionsAsync(chunk); await b.WriteOutcomesAsync(chunk.Select(p => Outcome(p, 2)).ToList()); } }));

        Assert.That(a.WriterId, Is.Not.Null.And.Not.EqualTo(b.WriterId));
        var files = Directory.GetFiles(_folder, "*.jsonl").Select(Path.GetFileName).ToList();
        Assert.That(files, Has.Some.Contains(a.WriterId!).And.Some.Contains(b.WriterId!));
        var lines = files.SelectMany(f => File.ReadLines(Path.Combine(_folder, f!))).ToList();
        Assert.That(lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("id").GetGuid()).Count(), Is.EqualTo(800), "every line is whole: no interleaved writes");
        using var reader = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder });
        Assert.That(await reader.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(400, 400, 400)));
        Assert.That(await reader.ReadJoinedAsync().Select(r => r.Prediction.PredictionId).ToListAsync(), Is.EquivalentTo(predictions.Select(p => p.PredictionId)));
    }

    [Test]
    public async Task Files_written_by_an_earlier_version_are_read_with_the_new_ones()
    {
        var old = Prediction(1);
        var fresh = Prediction(2);
        await File.WriteAllTextAsync(Path.Combine(_folder, "predictions-000001.jsonl"), Line(FeedbackJson.WritePrediction, old));
        await File.WriteAllTextAsync(Path.Combine(_folder, "outcomes-000001.jsonl"), Line(FeedbackJson.WriteOutcome, Outcome(fresh, 5)));
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder });
        await store.WritePredictionsAsync([fresh]);
        await store.WriteOutcomesAsync([Outcome(old, 4)]);
        Assert.That(await store.ReadJoinedAsync().Select(r => r.Outcome.Observed).ToListAsync(), Is.EquivalentTo(new[] { 4.0, 5.0 }));
    }

    [Test]
    public async Task Retention_deletes_old_collected_files_and_keeps_what_is_not_collected_yet()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder, MaxFileBytes = 1024, MaxAge = TimeSpan.FromDays(7) }, timeProvider: time);
        var predictions = Enumerable.Range(0, 60).Select(i => Prediction(i)).ToList();
        string? early = null;
        foreach (var chunk in predictions.Chunk(4))
        {
            await store.WritePredictionsAsync(chunk);
            await store.WriteOutcomesAsync(chunk.Select(p => Outcome(p, 3)).ToList());
            early ??= chunk[0] == predictions[20] ? await store.GetPositionAsync() : null;
        }

        var written = Directory.GetFiles(_folder, "*.jsonl");
        Assert.That(written, Has.Length.GreaterThan(10));
        time.Advance(TimeSpan.FromDays(30)); // every file is now 30 days old
        Assert.That(store.ApplyRetention(), Is.Empty, "nothing was collected yet: nothing may go");

        // Dataset a collects everything; dataset b has collected only what was there at 'early'.
        var dataset = Path.Combine(NewFolder(), "a.jsonl");
        Assert.That((await FeedbackCollector.CollectAsync(store, dataset)).Appended, Is.EqualTo(60));
        await store.RecordCollectedAsync("dataset b", early!);
        var first = store.ApplyRetention();
        var earlyFiles = System.Text.Json.JsonDocument.Parse(early!).RootElement.GetProperty("files").EnumerateObject().ToDictionary(f => f.Name, f => f.Value.GetInt64());
        Assert.That(first, Is.Not.Empty);
        Assert.That(first.Select(Path.GetFileName), Has.All.Matches<string>(f => earlyFiles.ContainsKey(f!)), "only files b had collected");
        Assert.That(Directory.GetFiles(_folder, "*.jsonl").Select(Path.GetFileName), Has.Some.Matches<string>(f => !earlyFiles.ContainsKey(f!)), "what b has not collected stays");

        await store.RecordCollectedAsync("dataset b", await store.GetPositionAsync());
        store.ApplyRetention();
        var left = Directory.GetFiles(_folder, "*.jsonl");
        Assert.That(left, Has.Length.EqualTo(2), "only the live writer's current prediction and outcome files stay");
        Assert.That(left.Select(Path.GetFileName), Has.All.Contains(store.WriterId!));
        Assert.That((await FeedbackCollector.CollectAsync(store, dataset)).Appended, Is.Zero, "nothing collected is read again");

        await store.WriteOutcomesAsync([Outcome(predictions[59], 9)]); // a second outcome of a kept prediction: ignored
        await store.WritePredictionsAsync([Prediction(99) with { PredictionId = predictions[0].PredictionId }]); // an id whose files are gone
        Assert.That((await FeedbackCollector.CollectAsync(store, dataset)).Appended, Is.Zero);
    }

    [Test]
    public async Task Reads_keep_in_memory_only_what_is_new_since_the_position()
    {
        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder });
        var padding = new string('p', 2000);
        for (var batch = 0; batch < 50; batch++)
        {
            var chunk = Enumerable.Range(batch * 100, 100).Select(i => Prediction(i) with { Features = new Dictionary<string, FeatureValue> { ["text"] = padding + i } }).ToList();
            await store.WritePredictionsAsync(chunk);
            await store.WriteOutcomesAsync(chunk.Select(p => Outcome(p, 1)).ToList());
        }

        var position = await store.GetPositionAsync();
        await store.WriteOutcomesAsync([Outcome(Prediction(1), 2)]);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var rows = await store.ReadJoinedAsync(position).ToListAsync();
        var counts = await store.GetCountsAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.That(rows, Is.Empty);
        Assert.That(counts, Is.EqualTo(new FeedbackCounts(5000, 5001, 5000)));
        Assert.That(new DirectoryInfo(_folder).EnumerateFiles().Sum(f => f.Length), Is.GreaterThan(10_000_000), "a 10 MB store");
        Assert.That(allocated, Is.LessThan(5_000_000), "the records are streamed, not loaded: only ids and buffers are allocated");
    }

    private static bool IsNewest(string file, string[] all)
    {
        var parsed = Path.GetFileName(file);
        var kind = parsed[..parsed.IndexOf('-')];
        return all.Where(f => Path.GetFileName(f).StartsWith(kind, StringComparison.Ordinal)).Max(f => Path.GetFileName(f)) == parsed;
    }

    private static string Line<T>(Action<System.Text.Json.Utf8JsonWriter, T> write, T record)
    {
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            write(writer, record);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    [Test]
    public void Rejects_bad_options()
    {
        Assert.Throws<ArgumentException>(() => new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = " " }));
        Assert.Throws<ArgumentException>(() => new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = _folder, MaxFileBytes = 10 }));
    }
}
