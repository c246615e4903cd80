using System.Diagnostics;
using QualityPrediction.Feedback;
using QualityPrediction.Reliability.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.Feedback;

/// <summary>
/// Predictions whose contexts carry a fresh 10 MB string each, logged while the store is slow: the writer's queue does not
/// keep the strings alive (an oversized value is left out of the logged record, counted) and the store's files stay small.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OversizedContextTests
{
    [Test]
    public async Task FreshTenMegabyteContextValues_AreNotKeptByTheQueueNorWritten()
    {
        const int predictions = 50;
        var folder = Fixtures.NewFolder("oversized");
        using var inner = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = Path.Combine(folder, "store") });
        var store = new GatedStore(inner);
        await using var writer = new FeedbackWriter(store, new FeedbackWriterOptions { SpillFolder = Path.Combine(folder, "spill"), BatchSize = 10 });
        var before = Memory();
        var accepted = Log(writer, predictions);
        var whileQueued = Memory();
        var status = writer.GetStatus();
        store.Open.SetResult(); // the store answers again
        await writer.FlushAsync();
        var onDisk = Directory.GetFiles(Path.Combine(folder, "store")).Sum(f => new FileInfo(f).Length);
        var heapGrowth = whileQueued.Heap - before.Heap;
        var rssGrowth = whileQueued.Rss - before.Rss;
        Settings.Report(
            nameof(FreshTenMegabyteContextValues_AreNotKeptByTheQueueNorWritten),
            $"predictions={predictions} accepted={accepted} valuesOmitted={writer.GetStatus().ValuesOmitted} queuedBytes={status.QueuedBytes} heapGrowthMiB={heapGrowth / 1048576.0:F1} rssGrowthMiB={rssGrowth / 1048576.0:F0} storeBytes={onDisk}");
        Assert.Multiple(() =>
        {
            Assert.That(accepted, Is.EqualTo(predictions), "the predictions are logged, without the oversized value");
            Assert.That(writer.GetStatus().ValuesOmitted, Is.EqualTo(predictions));
            Assert.That(heapGrowth, Is.LessThan(16L * 1024 * 1024), "the queue keeps no 10 MB string alive (managed heap after a full GC)");
            Assert.That(onDisk, Is.LessThan(1024 * 1024), "the store's files hold no 10 MB value");
        });
    }

    /// <summary>Logs the predictions (in a method of its own, so no local of the caller keeps the last string alive).</summary>
    private static int Log(FeedbackWriter writer, int count)
    {
        var accepted = 0;
        for (var i = 0; i < count; i++)
        {
            var record = FeedbackRecords.Prediction(9, i) with
            {
                Features = new Dictionary<string, FeatureValue> { ["provider"] = "openai", ["response"] = new string((char)('a' + (i % 26)), 10_000_000) },
            };
            accepted += writer.TryEnqueue(record) ? 1 : 0;
        }

        return accepted;
    }

    private static (long Heap, long Rss) Memory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }

    /// <summary>A store that holds every write until <see cref="Open"/> is set (a slow database), so records wait in the queue.</summary>
    private sealed class GatedStore(IFeedbackStore inner) : IFeedbackStore
    {
        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken = default)
        {
            await Open.Task;
            await inner.WritePredictionsAsync(records, cancellationToken);
        }

        public async ValueTask WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> records, CancellationToken cancellationToken = default)
        {
            await Open.Task;
            await inner.WriteOutcomesAsync(records, cancellationToken);
        }

        public ValueTask<string> GetPositionAsync(CancellationToken cancellationToken = default) => inner.GetPositionAsync(cancellationToken);

        public IAsyncEnumerable<FeedbackRow> ReadJoinedAsync(string? after = null, string? upTo = null, CancellationToken cancellationToken = default) =>
            inner.ReadJoinedAsync(after, upTo, cancellationToken);

        public ValueTask<FeedbackCounts> GetCountsAsync(CancellationToken cancellationToken = default) => inner.GetCountsAsync(cancellationToken);
    }
}
