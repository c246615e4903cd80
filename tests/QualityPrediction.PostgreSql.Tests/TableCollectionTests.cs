using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;

namespace QualityPrediction.PostgreSql.Tests;

/// <summary>
/// Collecting a table the host application writes (Supabase-shaped: identity ids, a score filled in later): every row
/// that has a score is collected exactly once, with labels filled in late by UPDATE and transactions committing out of
/// the order of their ids.
/// </summary>
public class TableCollectionTests : PostgreSqlTestBase
{
    [SetUp]
    public async Task CreateTable() => await ExecuteAsync($"""
        CREATE TABLE "{Schema}".generations (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            provider text NOT NULL,
            quality_score double precision,
            note text);
        """);

    private PostgreSqlCollectOptions Options => new()
    {
        Table = $"{Schema}.generations",
        TargetColumn = "quality_score",
        KeyColumn = "id",
        Features = { ["provider"] = "provider", ["id"] = "rowId" },
    };

    [Test]
    public async Task A_row_whose_score_is_filled_in_later_by_an_update_is_collected_once()
    {
        var output = Path.Combine(Folder, "late.jsonl");
        await ExecuteAsync($"INSERT INTO \"{Schema}\".generations (provider, quality_score) VALUES ('a', NULL), ('b', 0.5), ('c', NULL)");
        Assert.That((await PostgreSqlCollector.CollectAsync(DataSource, Options, output)).Appended, Is.EqualTo(1));

        await ExecuteAsync($"UPDATE \"{Schema}\".generations SET quality_score = 0.9 WHERE provider = 'a'");
        Assert.That((await PostgreSqlCollector.CollectAsync(DataSource, Options, output)).Appended, Is.EqualTo(1), "the label filled in later is collected");

        await ExecuteAsync($"UPDATE \"{Schema}\".generations SET quality_score = 0.1, note = 'relabelled' WHERE provider IN ('a', 'b')");
        Assert.That((await PostgreSqlCollector.CollectAsync(DataSource, Options, output)).Appended, Is.Zero, "a collected row that changes is not collected again");
        var rows = await ReadAsync(output);
        Assert.That(rows.Select(r => (r.Provider, r.Quality)), Is.EquivalentTo(new[] { ("b", 0.5), ("a", 0.9) }));
    }

    [Test]
    public async Task A_row_whose_transaction_commits_after_rows_with_higher_ids_is_collected()
    {
        var output = Path.Combine(Folder, "out-of-order.jsonl");
        await using var slow = await DataSource.OpenConnectionAsync();
        await using var transaction = await slow.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand($"INSERT INTO \"{Schema}\".generations (provider, quality_score) VALUES ('slow', 0.3)", slow, transaction))
        {
            await insert.ExecuteNonQueryAsync(); // draws id 1, visible only at commit
        }

        await ExecuteAsync($"INSERT INTO \"{Schema}\".generations (provider, quality_score) VALUES ('fast', 0.7)"); // id 2, committed now
        Assert.That((await PostgreSqlCollector.CollectAsync(DataSource, Options, output)).Appended, Is.EqualTo(1));
        await transaction.CommitAsync();
        Assert.That((await PostgreSqlCollector.CollectAsync(DataSource, Options, output)).Appended, Is.EqualTo(1), "id 1 committed after id 2 was collected");
        Assert.That((await ReadAsync(output)).Select(r => r.Provider), Is.EquivalentTo(new[] { "fast", "slow" }));
    }

    [Test]
    public async Task Concurrent_inserts_late_labels_and_relabels_committing_out_of_order_collect_every_labelled_row_exactly_once()
    {
        const int writers = 4, rowsPerWriter = 120;
        var output = Path.Combine(Folder, "concurrent.jsonl");
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var inserted = new ConcurrentQueue<long>();
        var collections = 0;

        // Writers insert rows (half with a score), holding their transactions open for a while, some rolled back.
        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(10 + w);
            await using var connection = await DataSource.OpenConnectionAsync(stop.Token);
            for (var done = 0; done < rowsPerWriter;)
            {
                await using var transaction = await connection.BeginTransactionAsync(stop.Token);
                var ids = new List<long>();
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    await using var insert = new NpgsqlCommand($"INSERT INTO \"{Schema}\".generations (provider, quality_score) VALUES ('w{w}', {(random.NextDouble() < 0.5 ? "0.5" : "NULL")}) RETURNING id", connection, transaction);
                    ids.Add(Convert.ToInt64(await insert.ExecuteScalarAsync(stop.Token)));
                }

                await Task.Delay(random.Next(0, 50), stop.Token);
                if (random.NextDouble() < 0.1)
                {
                    await transaction.RollbackAsync(stop.Token);
                    continue;
                }

                await transaction.CommitAsync(stop.Token);
                ids.ForEach(inserted.Enqueue);
                done += ids.Count;
            }
        })).ToList();

        // Labellers fill in scores later (and change some already given), in transactions held open too.
        var labelling = Enumerable.Range(0, 2).Select(l => Task.Run(async () =>
        {
            var random = new Random(50 + l);
            await using var connection = await DataSource.OpenConnectionAsync(stop.Token);
            while (!writing.All(t => t.IsCompleted) || random.NextDouble() < 0.9)
            {
                var known = inserted.ToArray();
                if (known.Length == 0)
                {
                    await Task.Delay(5, stop.Token);
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(stop.Token);
                var id = known[random.Next(known.Length)];
                await using (var update = new NpgsqlCommand($"UPDATE \"{Schema}\".generations SET quality_score = {random.Next(1, 100) / 100.0:0.00}, note = 'l{l}' WHERE id = {id}", connection, transaction))
                {
                    await update.ExecuteNonQueryAsync(stop.Token);
                }

                await Task.Delay(random.Next(0, 40), stop.Token);
                await transaction.CommitAsync(stop.Token);
            }
        })).ToList();

        var collecting = Task.Run(async () =>
        {
            while (!labelling.All(t => t.IsCompleted))
            {
                await PostgreSqlCollector.CollectAsync(DataSource, Options, output, stop.Token);
                collections++;
                await Task.Delay(10, stop.Token);
            }
        });

        await Task.WhenAll(writing.Concat(labelling));
        await collecting;
        await PostgreSqlCollector.CollectAsync(DataSource, Options, output, stop.Token);

        var labelled = new HashSet<long>();
        await using (var command = DataSource.CreateCommand($"SELECT id FROM \"{Schema}\".generations WHERE quality_score IS NOT NULL"))
        await using (var reader = await command.ExecuteReaderAsync(stop.Token))
        {
            while (await reader.ReadAsync(stop.Token))
            {
                labelled.Add(reader.GetInt64(0));
            }
        }

        var collected = (await ReadAsync(output)).Select(r => r.Id).ToList();
        TestContext.Out.WriteLine($"rows={inserted.Count} labelled={labelled.Count} collections={collections + 1} collected={collected.Count}");
        Assert.Multiple(() =>
        {
            Assert.That(collections, Is.GreaterThanOrEqualTo(3), "collections ran while rows were written and labelled");
            Assert.That(collected, Is.Unique, "no row is collected twice");
            Assert.That(collected.ToHashSet().SetEquals(labelled), Is.True, $"every labelled row is collected: {labelled.Except(collected).Count()} missing, {collected.Except(labelled).Count()} extra");
        });
    }

    private static async Task<List<(long Id, string Provider, double Quality)>> ReadAsync(string output) =>
        [.. (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement).Select(r => ((long)r.GetProperty("rowId").GetDouble(), r.GetProperty("provider").GetString()!, r.GetProperty("quality").GetDouble()))];

    private async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
