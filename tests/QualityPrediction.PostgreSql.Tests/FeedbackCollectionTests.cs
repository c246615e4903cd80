using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using QualityPrediction.Feedback;

namespace QualityPrediction.PostgreSql.Tests;

/// <summary>
/// The feedback store's collection guarantee on a real server: every row whose prediction and outcome are both stored
/// is collected exactly once, whatever order the two halves arrive in and whatever order concurrent writers commit in.
/// </summary>
public class FeedbackCollectionTests : PostgreSqlTestBase
{
    [Test]
    public async Task An_outcome_stored_before_its_prediction_is_collected_once_the_prediction_arrives()
    {
        var output = Path.Combine(Folder, "outcome-first.jsonl");
        var early = Prediction(1);
        var late = Prediction(2); // its prediction is still in another replica's spill files
        var third = Prediction(3);
        await Store.WritePredictionsAsync([early, third]);
        await Store.WriteOutcomesAsync([Outcome(early, 10), Outcome(late, 20), Outcome(third, 30)]);
        Assert.That((await PostgreSqlCollector.CollectFeedbackAsync(Store, output)).Appended, Is.EqualTo(2));

        await Store.WritePredictionsAsync([late]);
        var second = await PostgreSqlCollector.CollectFeedbackAsync(Store, output);
        Assert.That((second.Appended, second.Rows), Is.EqualTo((1L, 3L)), "completed by its prediction, collected by the next run");
        Assert.That((await PostgreSqlCollector.CollectFeedbackAsync(Store, output)).Appended, Is.Zero);
        var targets = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("quality").GetDouble());
        Assert.That(targets, Is.EquivalentTo(new[] { 10.0, 20, 30 }));
    }

    [Test]
    public async Task Concurrent_writers_committing_out_of_order_with_outcomes_before_predictions_collect_every_row_exactly_once()
    {
        const int writers = 6, rowsPerWriter = 150;
        var output = Path.Combine(Folder, "concurrent.jsonl");
        var committedPredictions = new ConcurrentDictionary<Guid, bool>();
        var committedOutcomes = new ConcurrentDictionary<Guid, bool>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var collections = 0;

        // Each writer holds its transactions open for a random while, so commits land out of the order their seq numbers
        // were drawn in; a quarter of the outcomes are written before their predictions, some transactions roll back
        // (and are written again later), and rows are split across transactions.
        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(100 + w);
            var pending = new List<(Guid Id, bool Prediction)>();
            for (var i = 0; i < rowsPerWriter; i++)
            {
                var id = Guid.NewGuid();
                if (random.NextDouble() < 0.25)
                {
                    pending.Add((id, false));
                    pending.Add((id, true));
                }
                else
                {
                    pending.Add((id, true));
                    pending.Add((id, false));
                }
            }

            await using var connection = await DataSource.OpenConnectionAsync(stop.Token);
            var next = 0;
            while (next < pending.Count)
            {
                var take = Math.Min(pending.Count - next, random.Next(1, 6));
                var batch = pending.GetRange(next, take);
                await using var transaction = await connection.BeginTransactionAsync(stop.Token);
                foreach (var (id, isPrediction) in batch)
                {
                    await InsertAsync(connection, transaction, id, isPrediction, stop.Token);
                }

                await Task.Delay(random.Next(0, 60), stop.Token);
                if (random.NextDouble() < 0.1)
                {
                    await transaction.RollbackAsync(stop.Token); // written again by the next transaction
                    continue;
                }

                await transaction.CommitAsync(stop.Token);
                foreach (var (id, isPrediction) in batch)
                {
                    (isPrediction ? committedPredictions : committedOutcomes)[id] = true;
                }

                next += take;
            }
        })).ToList();

        var collecting = Task.Run(async () =>
        {
            while (!writing.All(t => t.IsCompleted))
            {
                await PostgreSqlCollector.CollectFeedbackAsync(Store, output, cancellationToken: stop.Token);
                collections++;
                await Task.Delay(20, stop.Token);
            }
        });

        await Task.WhenAll(writing);
        await collecting;
        var last = await PostgreSqlCollector.CollectFeedbackAsync(Store, output, cancellationToken: stop.Token);

        var complete = committedPredictions.Keys.Where(committedOutcomes.ContainsKey).ToHashSet();
        var collected = (await File.ReadAllLinesAsync(output)).Select(l => Guid.Parse(JsonDocument.Parse(l).RootElement.GetProperty("rowId").GetString()!)).ToList();
        TestContext.Out.WriteLine($"writers={writers} rows={complete.Count} collections={collections + 1} collected={collected.Count} distinct={collected.Distinct().Count()}");
        Assert.Multiple(() =>
        {
            Assert.That(collections, Is.GreaterThanOrEqualTo(2), "collections ran while the writers wrote");
            Assert.That(complete, Has.Count.EqualTo(writers * rowsPerWriter));
            Assert.That(collected, Is.Unique, "no row is collected twice");
            Assert.That(collected.ToHashSet().SetEquals(complete), Is.True, $"every row is collected: {complete.Except(collected).Count()} missing, {collected.Except(complete).Count()} extra");
            Assert.That(last.Rows, Is.EqualTo(complete.Count));
        });
    }

    [Test]
    public async Task Upgrading_a_version_1_schema_keeps_collected_rows_collected_and_finds_predictions_that_arrive_after_their_outcome()
    {
        var schema = PostgreSqlTestDatabase.NewSchema();
        try
        {
            await ExecuteAsync(Version1Schema(schema));
            var v1 = new PostgreSqlFeedbackStore(DataSource, schema);
            var old = Enumerable.Range(0, 4).Select(Prediction).ToList();
            var orphan = Prediction(10); // its outcome was stored, its prediction not yet: version 1 passed it over for good
            await ExecuteAsync($"""
                INSERT INTO "{schema}".quality_predictions (prediction_id, context, score, confidence, source, created_at)
                SELECT id, jsonb_build_object('rowId', 'x'), 50, 0.5, 'model', now() FROM unnest(ARRAY['{old[0].PredictionId}', '{old[1].PredictionId}', '{old[2].PredictionId}', '{old[3].PredictionId}']::uuid[]) AS id;
                INSERT INTO "{schema}".quality_outcomes (prediction_id, observed, observed_at) VALUES
                    ('{old[0].PredictionId}', 1, now()), ('{orphan.PredictionId}', 2, now()), ('{old[1].PredictionId}', 3, now());
                """);

            // A dataset that version 1 collected up to its last outcome seq (rows 0 and 1).
            var output = Path.Combine(Folder, "upgraded.jsonl");
            var watermark = await ScalarAsync($"SELECT max(seq) FROM \"{schema}\".quality_outcomes");
            await using (var dataset = IncrementalDataset.Open(output, "feedback-store"))
            {
                dataset.Append(new Dictionary<string, FeatureValue> { ["rowId"] = "old0" }, "quality", 1);
                dataset.Append(new Dictionary<string, FeatureValue> { ["rowId"] = "old1" }, "quality", 3);
                await dataset.CommitAsync(watermark.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            Assert.That(await v1.MigrateAsync(), Is.EqualTo(2));
            await v1.WritePredictionsAsync([orphan]);
            await v1.WriteOutcomesAsync([Outcome(old[2], 4)]);
            var result = await PostgreSqlCollector.CollectFeedbackAsync(v1, output);
            Assert.That((result.Appended, result.Rows), Is.EqualTo((2L, 4L)), "the orphan's row and the new outcome's row; rows 0 and 1 are not collected again");
            var targets = (await File.ReadAllLinesAsync(output)).Skip(2).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("quality").GetDouble());
            Assert.That(targets, Is.EquivalentTo(new[] { 2.0, 4 }));
        }
        finally
        {
            await PostgreSqlTestDatabase.DropSchemaAsync(DataSource, schema);
        }
    }

    /// <summary>Inserts one half of a row the way the store does (a row's context carries its id, to check the dataset).</summary>
    private async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, bool prediction, CancellationToken cancellationToken)
    {
        var sql = prediction
            ? $"INSERT INTO \"{Schema}\".quality_predictions (prediction_id, context, score, confidence, source, created_at) VALUES (@id, jsonb_build_object('rowId', @id::text), 50, 0.5, 'model', now()) ON CONFLICT (prediction_id) DO NOTHING"
            : $"INSERT INTO \"{Schema}\".quality_outcomes (prediction_id, observed, observed_at) VALUES (@id, 42, now()) ON CONFLICT (prediction_id) DO NOTHING";
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = id });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The tables as schema version 1 created them (outcomes numbered by an identity column, predictions not at all).</summary>
    private static string Version1Schema(string schema) => $"""
        CREATE SCHEMA "{schema}";
        CREATE TABLE "{schema}".quality_schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE "{schema}".quality_predictions (
            prediction_id uuid PRIMARY KEY, predictor text NOT NULL DEFAULT '', context jsonb NOT NULL, score double precision NOT NULL,
            confidence double precision NOT NULL, source text NOT NULL, model_name text NULL, model_version text NULL,
            created_at timestamptz NOT NULL, selection_probability double precision NULL, inserted_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE "{schema}".quality_outcomes (
            prediction_id uuid PRIMARY KEY, observed double precision NOT NULL, observed_at timestamptz NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY, inserted_at timestamptz NOT NULL DEFAULT now());
        CREATE UNIQUE INDEX quality_outcomes_seq_idx ON "{schema}".quality_outcomes (seq);
        INSERT INTO "{schema}".quality_schema_version (version) VALUES (1);
        """;
}
