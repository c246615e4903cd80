using QualityPrediction.Tests.TestSupport;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using System.Diagnostics.Metrics;
using QualityPrediction.Feedback;
using QualityPrediction.Monitoring;
using static QualityPrediction.Tests.Feedback.FeedbackTestData;

namespace QualityPrediction.Tests.Feedback;

public class FeedbackWriterTests
{
    private string _folder = null!;
    private JsonLinesFeedbackStore _inner = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = NewFolder();
        _inner = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = Path.Combine(_folder, "store") });
    }

    [TearDown]
    public void TearDown()
    {
        _inner.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task Writes_queued_records_in_batches_and_flushes_on_dispose()
    {
        var writer = new FeedbackWriter(_inner, Options(batchSize: 7));
        var predictions = Enumerable.Range(0, 50).Select(i => Prediction(i)).ToList();
        foreach (var prediction in predictions)
        {
            Assert.That(writer.TryEnqueue(prediction), Is.True);
            Assert.That(writer.TryEnqueue(Outcome(prediction, 42)), Is.True);
        }

        await writer.DisposeAsync();
        Assert.That(await _inner.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(50, 50, 50)));
        Assert.That(writer.GetStatus() with { LastError = null }, Is.EqualTo(new FeedbackWriterStatus(0, 100, 0, 0, 0, null)));
        Assert.That(writer.TryEnqueue(Prediction(99)), Is.False, "a stopped writer drops");
    }

    [Test]
    public async Task Never_blocks_when_the_queue_is_full_and_counts_the_drops()
    {
        using var meterFactory = new TestMeterFactory();
        using var dropped = new MetricCollector<long>(meterFactory, QualityMonitor.MeterName, FeedbackWriter.DroppedCounterName);
        var store = new FlakyStore(_inner) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var writer = new FeedbackWriter(store, Options(capacity: 10, batchSize: 1), meterFactory: meterFactory);

        // The store hangs on the first batch: the queue fills up and every further record is dropped at once.
        var accepted = 0;
        for (var i = 0; i < 100; i++)
        {
            accepted += writer.TryEnqueue(Prediction(i)) ? 1 : 0;
        }

        var status = writer.GetStatus();
        Assert.That(accepted, Is.InRange(10, 11), "capacity 10, plus at most the one record taken by the stalled batch");
        Assert.That(status.Dropped, Is.EqualTo(100 - accepted));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(100 - accepted));

        store.Gate.SetResult();
        await writer.DisposeAsync();
        Assert.That((await _inner.GetCountsAsync()).Predictions, Is.EqualTo(accepted), "every accepted record is written");
    }

    [Test]
    public async Task Spills_while_the_store_is_down_and_replays_without_loss_or_duplicates()
    {
        var store = new FlakyStore(_inner) { Down = true };
        var writer = new FeedbackWriter(store, Options(batchSize: 5));
        var predictions = Enumerable.Range(0, 30).Select(i => Prediction(i)).ToList();
        foreach (var prediction in predictions.Take(20))
        {
            writer.TryEnqueue(prediction);
            writer.TryEnqueue(Outcome(prediction, 70));
        }

        await writer.FlushAsync();
        var spilled = writer.GetStatus();
        Assert.That(spilled.Spilled, Is.EqualTo(40));
        Assert.That(spilled.Backlog, Is.EqualTo(40));
        Assert.That(spilled.LastError, Does.Contain("injected fault"));
        Assert.That(File.Exists(writer.SpillPath), Is.True);
        Assert.That((await _inner.GetCountsAsync()).Predictions, Is.Zero);

        store.Down = false;
        foreach (var prediction in predictions.Skip(20))
        {
            writer.TryEnqueue(prediction);
            writer.TryEnqueue(Outcome(prediction, 70));
        }

        await writer.DisposeAsync();
        Assert.That(await _inner.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(30, 30, 30)));
        Assert.That(RawIds("predictions"), Has.Count.EqualTo(30).And.Unique, "each prediction line is in the store files once");
        Assert.That(RawIds("outcomes"), Has.Count.EqualTo(30).And.Unique, "each outcome line is in the store files once");
        Assert.That(SpillFiles(), Is.Empty, "the spill files are deleted once replayed");
        Assert.That(writer.GetStatus().Backlog, Is.Zero);
    }

    [Test]
    public async Task A_spill_file_left_by_a_stopped_process_is_replayed_after_restart()
    {
        var store = new FlakyStore(_inner) { Down = true };
        var first = new FeedbackWriter(store, Options());
        var predictions = Enumerable.Range(0, 12).Select(i => Prediction(i)).ToList();
        foreach (var prediction in predictions)
        {
            first.TryEnqueue(prediction);
        }

        await first.DisposeAsync(); // the store is still down: everything stays in the spill file
        Assert.That((await _inner.GetCountsAsync()).Predictions, Is.Zero);

        // The store wrote part of the records before failing (a partial batch); replaying must not duplicate them.
        await _inner.WritePredictionsAsync(predictions.Take(5).ToList());
        store.Down = false;
        var second = new FeedbackWriter(store, Options());
        await second.FlushAsync();
        await second.DisposeAsync();

        Assert.That((await _inner.GetCountsAsync()).Predictions, Is.EqualTo(12));
        Assert.That(RawIds("predictions"), Has.Count.EqualTo(12).And.Unique, "the 5 the store already held are not written again");
        Assert.That(await _inner.ReadJoinedAsync().CountAsync(), Is.Zero);
        Assert.That(SpillFiles(), Is.Empty);
    }

    [Test]
    public async Task Flush_throws_when_the_store_is_down_and_the_spill_folder_cannot_be_written()
    {
        var store = new FlakyStore(_inner) { Down = true };
        var blocked = Path.Combine(_folder, "not-a-folder");
        await File.WriteAllTextAsync(blocked, "a file where the spill folder should be");
        await using var writer = new FeedbackWriter(store, Options(configure: o => o.SpillFolder = blocked));
        for (var i = 0; i < 100; i++)
        {
            Assert.That(writer.TryEnqueue(Prediction(i)), Is.True);
        }

        var error = await Assert.ThrowsAsync<FeedbackRecordsLostException>(() => writer.FlushAsync());
        Assert.That(error!.Lost, Is.EqualTo(100));
        Assert.That(error.Message, Does.Contain("100 accepted feedback records were lost").And.Contain("injected fault").And.Contain(blocked));
        Assert.That(writer.GetStatus() is { Dropped: 100, Lost: 100, Written: 0 }, Is.True);
        await Assert.DoesNotThrowAsync(() => writer.FlushAsync(), "a loss is reported once");
    }

    [Test]
    public async Task The_spill_files_stop_at_their_size_cap_and_count_log_and_report_what_they_refuse()
    {
        using var meterFactory = new TestMeterFactory();
        using var dropped = new MetricCollector<long>(meterFactory, QualityMonitor.MeterName, FeedbackWriter.DroppedCounterName);
        var logs = new FakeLogCollector();
        using var loggers = new LoggerFactory([new FakeLoggerProvider(logs)]);
        var store = new FlakyStore(_inner) { Down = true };
        await using var writer = new FeedbackWriter(store, Options(batchSize: 10, configure: o => o.MaxSpillBytes = 64 * 1024), logger: loggers.CreateLogger<FeedbackWriter>(), meterFactory: meterFactory);
        for (var i = 0; i < 1000; i++)
        {
            writer.TryEnqueue(Prediction(i));
        }

        var error = await Assert.ThrowsAsync<FeedbackRecordsLostException>(() => writer.FlushAsync());
        var status = writer.GetStatus();
        Assert.Multiple(() =>
        {
            Assert.That(status.Spilled, Is.GreaterThan(0).And.LessThan(1000));
            Assert.That(status.Spilled + status.Lost, Is.EqualTo(1000));
            Assert.That(error!.Lost, Is.EqualTo(status.Lost));
            Assert.That(error.Message, Does.Contain("MaxSpillBytes 65536"));
            Assert.That(status.SpillBytes, Is.LessThanOrEqualTo(64 * 1024));
            Assert.That(SpillFiles().Sum(f => new FileInfo(f).Length), Is.LessThanOrEqualTo(64 * 1024), "the files on disk stay under the cap");
            Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(status.Lost));
            Assert.That(dropped.LastMeasurement!.Tags["error.type"], Is.EqualTo("spill_full"));
            Assert.That(logs.GetSnapshot().Where(r => r.Id.Name == "FeedbackSpillFull").Select(r => r.Level), Has.Some.EqualTo(LogLevel.Error));
        });
    }

    [Test]
    public async Task Replay_resumes_where_it_stopped_and_writes_nothing_twice()
    {
        var store = new FlakyStore(_inner) { Down = true };
        await using var writer = new FeedbackWriter(store, Options(batchSize: 5));
        var predictions = Enumerable.Range(0, 40).Select(i => Prediction(i)).ToList();
        foreach (var prediction in predictions)
        {
            writer.TryEnqueue(prediction);
        }

        await writer.FlushAsync();
        Assert.That(writer.GetStatus().Backlog, Is.EqualTo(40));

        // The store comes back but fails again after three batches of the replay.
        store.FailAfterWrites = 3;
        store.Down = false;
        await WaitUntilAsync(() => store.FailedWrites > 0);
        var half = writer.GetStatus();
        Assert.That(half.Backlog, Is.EqualTo(40 - 15), "three batches of five were replayed and are no longer waiting");

        store.FailAfterWrites = -1;
        await WaitUntilAsync(() => writer.GetStatus().Backlog == 0);
        Assert.That(RawIds("predictions"), Has.Count.EqualTo(40).And.Unique, "the second replay started after the batches already written");
        Assert.That(SpillFiles(), Is.Empty);
    }

    [Test]
    public async Task A_spill_left_by_a_stopped_writer_counts_in_the_backlog_from_the_start()
    {
        var store = new FlakyStore(_inner) { Down = true };
        var first = new FeedbackWriter(store, Options());
        for (var i = 0; i < 12; i++)
        {
            first.TryEnqueue(Prediction(i));
        }

        await first.DisposeAsync();
        await using var second = new FeedbackWriter(store, Options());
        Assert.That(second.GetStatus().Backlog, Is.EqualTo(12), "counted when the writer starts, before any replay");
        Assert.That(second.GetStatus().SpillBytes, Is.GreaterThan(0));
    }

    [Test]
    public async Task Writers_sharing_a_spill_folder_keep_their_own_files_and_a_new_writer_replays_those_of_writers_that_died()
    {
        var store = new FlakyStore(_inner) { Down = true };
        var predictions = Enumerable.Range(0, 200).Select(i => Prediction(i)).ToList();
        var a = new FeedbackWriter(store, Options(batchSize: 7));
        var b = new FeedbackWriter(store, Options(batchSize: 5));
        await Task.WhenAll(
            Task.Run(async () => { foreach (var p in predictions.Take(100)) { a.TryEnqueue(p); await Task.Yield(); } await a.FlushAsync(); }),
            Task.Run(async () => { foreach (var p in predictions.Skip(100)) { b.TryEnqueue(p); await Task.Yield(); } await b.FlushAsync(); }));
        Assert.That(a.SpillPath, Is.Not.EqualTo(b.SpillPath));
        await a.DisposeAsync();
        await b.DisposeAsync();

        store.Down = false;
        await using var c = new FeedbackWriter(store, Options());
        Assert.That(c.GetStatus().Backlog, Is.EqualTo(200));
        await WaitUntilAsync(() => c.GetStatus().Backlog == 0);
        Assert.That(RawIds("predictions"), Is.EquivalentTo(predictions.Select(p => p.PredictionId)), "all 200 once: nothing lost, nothing twice");
    }

    [Test]
    public async Task Oversized_context_values_are_left_out_of_the_logged_record_and_counted()
    {
        using var meterFactory = new TestMeterFactory();
        using var omitted = new MetricCollector<long>(meterFactory, QualityMonitor.MeterName, FeedbackWriter.ValuesOmittedCounterName);
        var writer = new FeedbackWriter(_inner, Options(), meterFactory: meterFactory);
        for (var i = 0; i < 5; i++)
        {
            var huge = new string((char)('a' + i), 10_000_000); // a fresh 10 MB string per prediction
            var record = Prediction(i) with { Features = new Dictionary<string, FeatureValue> { ["provider"] = "openai", ["response"] = huge } };
            Assert.That(writer.TryEnqueue(record), Is.True);
            Assert.That(writer.GetStatus().QueuedBytes, Is.LessThan(10_000), "the queue does not keep the 10 MB value alive");
        }

        await writer.DisposeAsync();
        var stored = RawPredictions();
        Assert.That(stored.Select(p => p.Features.ContainsKey("response")), Has.All.False);
        Assert.That(stored.Select(p => p.Features["provider"]), Has.All.EqualTo((FeatureValue)"openai"));
        Assert.That(writer.GetStatus().ValuesOmitted, Is.EqualTo(5));
        Assert.That(omitted.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(5));
        Assert.That(new DirectoryInfo(Path.Combine(_folder, "store")).EnumerateFiles().Sum(f => f.Length), Is.LessThan(100_000));
    }

    [Test]
    public async Task The_queue_is_bounded_in_bytes_too()
    {
        var store = new FlakyStore(_inner) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var writer = new FeedbackWriter(store, Options(capacity: 10_000, batchSize: 1, configure: o => { o.MaxQueueBytes = 1024 * 1024; o.MaxLoggedValueLength = 1_000_000; }));
        var accepted = 0;
        for (var i = 0; i < 100; i++)
        {
            var record = Prediction(i) with { Features = new Dictionary<string, FeatureValue> { ["text"] = new string('x', 100_000) } }; // about 200 KB each
            accepted += writer.TryEnqueue(record) ? 1 : 0;
        }

        var status = writer.GetStatus();
        Assert.That(accepted, Is.InRange(4, 6), "1 MiB holds five records of 200 KB (one more may be in the stalled batch)");
        Assert.That(status.Dropped, Is.EqualTo(100 - accepted));
        Assert.That(status.QueuedBytes, Is.LessThanOrEqualTo(1024 * 1024));
        store.Gate.SetResult();
        await writer.DisposeAsync();
        Assert.That((await _inner.GetCountsAsync()).Predictions, Is.EqualTo(accepted));
        Assert.That(writer.GetStatus().QueuedBytes, Is.Zero);
    }

    [Test]
    public void Rejects_bad_options()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeedbackWriter(_inner, new FeedbackWriterOptions { Capacity = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeedbackWriter(_inner, new FeedbackWriterOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentNullException>(() => new FeedbackWriter(null!, new FeedbackWriterOptions()));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>The prediction ids of every line in the store's raw files of one kind (not de-duplicated, as a reader would).</summary>
    private List<Guid> RawIds(string kind) =>
        [.. Directory.GetFiles(Path.Combine(_folder, "store"), kind + "-*.jsonl")
            .SelectMany(File.ReadLines)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("id").GetGuid())];

    private string[] SpillFiles() =>
        Directory.Exists(Path.Combine(_folder, "spill")) ? Directory.GetFiles(Path.Combine(_folder, "spill"), "*.jsonl") : [];

    private List<PredictionRecord> RawPredictions() =>
        [.. Directory.GetFiles(Path.Combine(_folder, "store"), "predictions-*.jsonl")
            .SelectMany(File.ReadLines)
            .Select(line => FeedbackJson.ReadPrediction(System.Text.Json.JsonDocument.Parse(line).RootElement))];

    private FeedbackWriterOptions Options(int capacity = 1000, int batchSize = 100, Action<FeedbackWriterOptions>? configure = null)
    {
        var options = new FeedbackWriterOptions
        {
            Capacity = capacity,
            BatchSize = batchSize,
            SpillFolder = Path.Combine(_folder, "spill"),
            RetryInterval = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(options);
        return options;
    }
}
