using Npgsql;
using QualityPrediction.Feedback;

namespace QualityPrediction.PostgreSql.Tests;

/// <summary>Stops the real server in the middle of a stream of writes and starts it again: nothing may be lost or duplicated.</summary>
[NonParallelizable]
public class ServerRestartTests : PostgreSqlTestBase
{
    [TestCase("immediate")]
    [TestCase("fast")]
    public async Task Stopping_the_server_mid_stream_loses_and_duplicates_nothing(string mode)
    {
        var (pgCtl, data) = PostgreSqlTestDatabase.RequireServerControl();
        const int total = 3000;
        var predictions = Enumerable.Range(0, total).Select(Prediction).ToList();
        var writer = new FeedbackWriter(Store, new FeedbackWriterOptions
        {
            Capacity = total * 2,
            BatchSize = 100,
            SpillFolder = Path.Combine(Folder, "spill"),
            RetryInterval = TimeSpan.FromMilliseconds(200),
        });

        var stopped = false;
        try
        {
            // First third while the server is up.
            Enqueue(writer, predictions[..1000]);
            await writer.FlushAsync();
            Assert.That((await Store.GetCountsAsync()).Predictions, Is.EqualTo(1000));

            // Stop the server and keep producing: the writer spills.
            var stop = await PostgreSqlTestDatabase.PgCtlAsync(pgCtl, "stop", "-D", data, "-m", mode, "-w");
            Assert.That(stop.ExitCode, Is.Zero, stop.Output);
            stopped = true;
            Enqueue(writer, predictions[1000..2000]);
            await writer.FlushAsync();
            var down = writer.GetStatus();
            Assert.That(down.Spilled, Is.GreaterThan(0), "records went to the spill file while the server was down");
            Assert.That(down.LastError, Is.Not.Null);

            // Start it again and produce the rest.
            var start = await PostgreSqlTestDatabase.PgCtlAsync(pgCtl, "start", "-D", data, "-w", "-t", "60", "-l", Path.Combine(data, "server.log"));
            Assert.That(start.ExitCode, Is.Zero, start.Output);
            stopped = false;
            NpgsqlConnection.ClearAllPools();
            Enqueue(writer, predictions[2000..]);
        }
        finally
        {
            if (stopped)
            {
                await PostgreSqlTestDatabase.PgCtlAsync(pgCtl, "start", "-D", data, "-w", "-t", "60", "-l", Path.Combine(data, "server.log"));
            }
        }

        await writer.DisposeAsync();
        var status = writer.GetStatus();
        Assert.That(status.Backlog, Is.Zero, "the spill file was replayed");
        Assert.That(status.Dropped, Is.Zero);
        Assert.That(File.Exists(writer.SpillPath), Is.False);
        Assert.That(await Store.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(total, total, total)));
        var ids = await Store.ReadJoinedAsync().Select(r => r.Prediction.PredictionId).ToListAsync();
        Assert.That(ids, Is.EquivalentTo(predictions.Select(p => p.PredictionId)));
    }

    private static void Enqueue(FeedbackWriter writer, IEnumerable<PredictionRecord> predictions)
    {
        foreach (var prediction in predictions)
        {
            Assert.That(writer.TryEnqueue(prediction), Is.True);
            Assert.That(writer.TryEnqueue(Outcome(prediction, prediction.Score + 1)), Is.True);
        }
    }
}
