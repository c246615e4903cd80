using QualityPrediction.Tests.TestSupport;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
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
        var rows = await _inner.ReadJoinedAsync().ToListAsync();
        Assert.That(rows.Select(r => r.Prediction.PredictionId).Distinct().Count(), Is.EqualTo(30));
        Assert.That(File.Exists(writer.SpillPath), Is.False, "the spill file is deleted once replayed");
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
        Assert.That(await _inner.ReadJoinedAsync().CountAsync(), Is.Zero);
        Assert.That(File.Exists(second.SpillPath), Is.False);
    }

    [Test]
    public void Rejects_bad_options()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeedbackWriter(_inner, new FeedbackWriterOptions { Capacity = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeedbackWriter(_inner, new FeedbackWriterOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentNullException>(() => new FeedbackWriter(null!, new FeedbackWriterOptions()));
    }

    private FeedbackWriterOptions Options(int capacity = 1000, int batchSize = 100) => new()
    {
        Capacity = capacity,
        BatchSize = batchSize,
        SpillFolder = Path.Combine(_folder, "spill"),
        RetryInterval = TimeSpan.FromMilliseconds(50),
    };
}
