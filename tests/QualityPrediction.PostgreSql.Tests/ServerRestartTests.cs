using Npgsql;
using QualityPrediction.Feedback;

namespace QualityPrediction.PostgreSql.Tests;

/// <summary>Stops a real server (a private cluster) in the middle of a stream of writes and starts it again: nothing may be lost or duplicated.</summary>
[NonParallelizable]
public class ServerRestartTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [TestCase("immediate")]
    [TestCase("fast")]
    public async Task Stopping_the_server_mid_stream_loses_and_duplicates_nothing(string mode)
    {
        PostgreSqlTestDatabase.RequireConnectionString();
        await using var cluster = await PrivateCluster.CreateAsync();
        var folder = Path.Combine(Path.GetTempPath(), "qp-pg-restart", Guid.NewGuid().ToString("N"));
        await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString);
        await using var store = new PostgreSqlFeedbackStore(dataSource);
        await store.MigrateAsync();

        const int total = 3000;
        var predictions = Enumerable.Range(0, total).Select(Prediction).ToList();
        var writer = new FeedbackWriter(store, new FeedbackWriterOptions
        {
            Capacity = total * 2,
            BatchSize = 100,
            SpillFolder = Path.Combine(folder, "spill"),
            RetryInterval = TimeSpan.FromMilliseconds(200),
        });

        try
        {
            // First third while the server is up.
            Enqueue(writer, predictions[..1000]);
            await writer.FlushAsync();
            Assert.That((await store.GetCountsAsync()).Predictions, Is.EqualTo(1000));

            // Stop the server and keep producing: the writer spills.
            await cluster.StopAsync(mode);
            Enqueue(writer, predictions[1000..2000]);
            await writer.FlushAsync();
            var down = writer.GetStatus();
            Assert.That(down.Spilled, Is.GreaterThan(0), "records went to the spill file while the server was down");
            Assert.That(down.LastError, Is.Not.Null);

            // Start it again and produce the rest.
            await cluster.StartAsync();
            Enqueue(writer, predictions[2000..]);
            await writer.DisposeAsync();

            var status = writer.GetStatus();
            Assert.That(status.Backlog, Is.Zero, "the spill file was replayed");
            Assert.That(status.Dropped, Is.Zero);
            Assert.That(File.Exists(writer.SpillPath), Is.False);
            Assert.That(await store.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(total, total, total)));
            var ids = await store.ReadJoinedAsync().Select(r => r.Prediction.PredictionId).ToListAsync();
            Assert.That(ids, Is.EquivalentTo(predictions.Select(p => p.PredictionId)));
        }
        finally
        {
            await writer.DisposeAsync();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static PredictionRecord Prediction(int i) => new()
    {
        PredictionId = Guid.NewGuid(),
        Features = new Dictionary<string, FeatureValue> { ["provider"] = i % 2 == 0 ? "openai" : "anthropic", ["statValue"] = i },
        Score = 50 + (i % 10),
        Confidence = 0.7,
        Source = PredictionSource.Model,
        ModelName = "quality",
        ModelVersion = "0001",
        Timestamp = Start.AddSeconds(i),
    };

    private static void Enqueue(FeedbackWriter writer, IEnumerable<PredictionRecord> predictions)
    {
        foreach (var prediction in predictions)
        {
            Assert.That(writer.TryEnqueue(prediction), Is.True);
            Assert.That(writer.TryEnqueue(new OutcomeRecord(prediction.PredictionId, prediction.Score + 1, prediction.Timestamp.AddMinutes(1))), Is.True);
        }
    }
}
