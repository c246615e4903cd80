using Npgsql;
using QualityPrediction.Feedback;
using QualityPrediction.PostgreSql;
using QualityPrediction.Reliability.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.Feedback;

/// <summary>
/// SIGKILLs the PostgreSQL postmaster while predictions stream through the <see cref="FeedbackWriter"/>, then restarts
/// the server (crash recovery replays its WAL): the table holds exactly the acknowledged records (FlushAsync completed),
/// and the writer sent no record twice. (The table's primary key makes a stored duplicate impossible, so "stored twice"
/// is measured where it can happen: records the writer had the store confirm more than once.)
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PostgreSqlKillTests
{
    [Test]
    public async Task PostmasterKilledMidStream_EveryAcknowledgedRecordIsStoredExactlyOnce()
    {
        await using var cluster = await PrivatePostgres.StartAsync();
        await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString);
        await using var store = new PostgreSqlFeedbackStore(dataSource);
        await store.MigrateAsync();
        var spill = Fixtures.NewFolder("pg-spill");
        var total = Settings.PostgreSqlRecords;
        var kills = Settings.Long ? new[] { total / 4, total / 2, 3 * total / 4 } : [total / 3];
        const int batch = 1000;
        const int run = 7;

        var writer = new FeedbackWriter(store, new FeedbackWriterOptions { Capacity = batch * 4, BatchSize = 500, SpillFolder = spill, RetryInterval = TimeSpan.FromMilliseconds(200) });
        var acked = 0;
        long maxSpilled = 0;
        var restarts = new List<Task>();
        try
        {
            for (var start = 0; start < total; start += batch)
            {
                if (kills.Any(k => k >= start && k < start + batch))
                {
                    await Task.WhenAll(restarts); // the server from the previous kill is up again before the next one
                    await cluster.KillPostmasterAsync();
                    restarts.Add(Task.Run(async () =>
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1)); // keep writing into a dead server for a while
                        await cluster.StartServerAsync();
                    }));
                }

                var end = Math.Min(total, start + batch);
                for (var i = start; i < end; i++)
                {
                    Assert.That(writer.TryEnqueue(FeedbackRecords.Prediction(run, i)), Is.True);
                }

                await writer.FlushAsync();
                acked = end; // records 0…end-1 are in the store or in the fsynced spill file
                maxSpilled = Math.Max(maxSpilled, writer.GetStatus().Spilled);
            }

            await Task.WhenAll(restarts);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (writer.GetStatus().Backlog > 0)
            {
                await Task.Delay(100, wait.Token); // the writer replays its spill file every RetryInterval
            }
        }
        finally
        {
            await Task.WhenAll(restarts).WaitAsync(TimeSpan.FromSeconds(120));
            await writer.DisposeAsync();
        }

        var status = writer.GetStatus();
        var stored = new Dictionary<Guid, int>();
        await using (var command = dataSource.CreateCommand("SELECT prediction_id FROM public.quality_predictions"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var id = reader.GetGuid(0);
                stored[id] = stored.GetValueOrDefault(id) + 1;
            }
        }

        var acknowledged = Enumerable.Range(0, acked).Select(i => FeedbackRecords.Id(run, i)).ToHashSet();
        var missing = acknowledged.Count(id => !stored.ContainsKey(id));
        var unexpected = stored.Keys.Count(id => !acknowledged.Contains(id));
        var resent = Math.Max(0, status.Written - stored.Count); // confirmed writes beyond one per stored row
        Settings.Report(
            nameof(PostmasterKilledMidStream_EveryAcknowledgedRecordIsStoredExactlyOnce),
            $"records={total} acked={acked} kills={kills.Length} spilled={status.Spilled} written={status.Written} dropped={status.Dropped} rows={stored.Count} lost={missing} unexpected={unexpected} resent={resent}");

        Assert.Multiple(() =>
        {
            Assert.That(acked, Is.EqualTo(total));
            Assert.That(status.Spilled, Is.GreaterThan(0), "the kill really interrupted writes: some batches went to the spill files");
            Assert.That(status.Backlog, Is.Zero);
            Assert.That(status.Dropped, Is.Zero);
            Assert.That(missing, Is.Zero, "every acknowledged record is stored");
            Assert.That(unexpected, Is.Zero, "nothing that was not acknowledged is stored");
            Assert.That(status.Written, Is.LessThanOrEqualTo(stored.Count), "the writer had the store confirm no record twice (a replay resumes after what was written and checks the batch in flight)");
        });
    }
}
