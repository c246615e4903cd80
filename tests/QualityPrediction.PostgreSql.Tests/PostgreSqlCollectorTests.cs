using System.Text.Json;
using QualityPrediction.Feedback;

namespace QualityPrediction.PostgreSql.Tests;

public class PostgreSqlCollectorTests : PostgreSqlTestBase
{
    [Test]
    public async Task Collecting_the_feedback_store_twice_appends_only_new_rows()
    {
        var output = Path.Combine(Folder, "data", "feedback.jsonl");
        var predictions = Enumerable.Range(0, 15).Select(Prediction).ToList();
        await Store.WritePredictionsAsync(predictions);
        await Store.WriteOutcomesAsync(predictions.Take(10).Select(p => Outcome(p, p.Score + 2)).ToList());

        var first = await PostgreSqlCollector.CollectFeedbackAsync(Store, output);
        Assert.That((first.Appended, first.Rows), Is.EqualTo((10L, 10L)));

        var again = await PostgreSqlCollector.CollectFeedbackAsync(Store, output);
        Assert.That((again.Appended, again.Rows), Is.EqualTo((0L, 10L)), "nothing new");

        await Store.WriteOutcomesAsync(predictions.Skip(10).Select(p => Outcome(p, 99)).ToList());
        var second = await PostgreSqlCollector.CollectFeedbackAsync(Store, output);
        Assert.That((second.Appended, second.Rows), Is.EqualTo((5L, 15L)));

        var lines = await File.ReadAllLinesAsync(output);
        Assert.That(lines, Has.Length.EqualTo(15));
        var records = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(records[0].GetProperty("provider").GetString(), Is.EqualTo("openai"));
        Assert.That(records[0].GetProperty("statValue").GetDouble(), Is.EqualTo(0));
        Assert.That(records[0].GetProperty("quality").GetDouble(), Is.EqualTo(predictions[0].Score + 2));
        Assert.That(records.Skip(10).Select(r => r.GetProperty("quality").GetDouble()), Has.All.EqualTo(99));
        Assert.That(File.Exists(output + IncrementalDataset.WatermarkSuffix), Is.True);
    }

    [Test]
    public async Task An_outcome_committed_late_with_a_lower_position_is_not_skipped()
    {
        var output = Path.Combine(Folder, "late.jsonl");
        var early = Prediction(1);
        var late = Prediction(2);
        await Store.WritePredictionsAsync([early, late]);

        // Transaction A takes a position first but commits last.
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new Npgsql.NpgsqlCommand($"INSERT INTO \"{Schema}\".quality_outcomes (prediction_id, observed, observed_at) VALUES (@id, 10, now())", connection, transaction))
        {
            insert.Parameters.AddWithValue("id", early.PredictionId);
            await insert.ExecuteNonQueryAsync();
        }

        await Store.WriteOutcomesAsync([Outcome(late, 20)]); // a higher position, committed at once
        var collect = Task.Run(() => PostgreSqlCollector.CollectFeedbackAsync(Store, output));
        await Task.Delay(500);
        await transaction.CommitAsync();

        var result = await collect;
        Assert.That(result.Rows, Is.EqualTo(2), "the collector waited for the insert in flight instead of moving its watermark past it");
        Assert.That((await PostgreSqlCollector.CollectFeedbackAsync(Store, output)).Rows, Is.EqualTo(2));
    }

    [Test]
    public async Task Collects_a_supabase_shaped_table_with_a_column_mapping_incrementally()
    {
        await ExecuteAsync($"""
            CREATE TABLE "{Schema}".generations (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                created_at timestamptz NOT NULL DEFAULT now(),
                provider text, model text, action_type text, scenario_id text,
                quality_score double precision, response text, latency_ms integer);
            INSERT INTO "{Schema}".generations (provider, model, action_type, scenario_id, quality_score, response, latency_ms) VALUES
                ('openai', 'gpt-4o-mini', 'attack', 's1', 0.82, 'long text', 900),
                ('anthropic', 'claude-haiku', 'dialogue', 's2', 0.5, 'text', 1200),
                ('openai', 'gpt-4o', NULL, 's1', NULL, 'never rated', 800),
                ('openai', 'gpt-4o', 'attack', 's3', 1.0, 'text', 700);
            """);
        var options = new PostgreSqlCollectOptions
        {
            Table = $"{Schema}.generations",
            TargetColumn = "quality_score",
            TargetScale = 100,
            KeyColumn = "id",
            Features =
            {
                ["provider"] = WellKnownFeatures.Provider,
                ["model"] = WellKnownFeatures.Model,
                ["action_type"] = WellKnownFeatures.ActionType,
                ["scenario_id"] = WellKnownFeatures.Scenario,
            },
        };
        var output = Path.Combine(Folder, "supabase.jsonl");

        var first = await PostgreSqlCollector.CollectAsync(DataSource, options, output);
        Assert.That((first.Appended, first.Rows), Is.EqualTo((3L, 3L)), "the unrated row is skipped");
        var rows = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(rows[0].GetProperty("quality").GetDouble(), Is.EqualTo(82).Within(1e-9));
        Assert.That(rows[0].GetProperty("actionType").GetString(), Is.EqualTo("attack"));
        Assert.That(rows[0].GetProperty("scenarioId").GetString(), Is.EqualTo("s1"));
        Assert.That(rows[0].TryGetProperty("response", out _), Is.False, "unmapped columns are not features");
        Assert.That(rows[2].GetProperty("quality").GetDouble(), Is.EqualTo(100));

        await ExecuteAsync($"""
            INSERT INTO "{Schema}".generations (provider, model, action_type, scenario_id, quality_score) VALUES
                ('openai', 'gpt-4o-mini', 'attack', 's4', 0.25), ('anthropic', 'claude-haiku', 'attack', 's4', 0.75);
            """);
        var second = await PostgreSqlCollector.CollectAsync(DataSource, options, output);
        Assert.That((second.Appended, second.Rows), Is.EqualTo((2L, 5L)));
        var all = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("quality").GetDouble()).ToList();
        Assert.That(all, Is.EqualTo(new[] { 82, 50, 100, 25, 75 }).Within(1e-9));
        Assert.That((await PostgreSqlCollector.CollectAsync(DataSource, options, output)).Appended, Is.Zero);
    }

    [Test]
    public async Task Collects_a_query_with_its_row_version_a_timestamp_key_and_all_columns_as_features()
    {
        await ExecuteAsync($"""
            CREATE TABLE "{Schema}".ratings (rated_at timestamptz NOT NULL, provider text, tokens integer, score double precision);
            INSERT INTO "{Schema}".ratings VALUES ('2026-01-01T00:00:01.123456Z', 'openai', 120, 70), ('2026-01-01T00:00:02Z', 'anthropic', 80, 65);
            """);
        var options = new PostgreSqlCollectOptions
        {
            Query = $"SELECT r.xmin, r.rated_at, r.provider, r.tokens, r.score FROM \"{Schema}\".ratings r WHERE r.score > 0",
            TargetColumn = "score",
            KeyColumn = "rated_at",
        };
        var output = Path.Combine(Folder, "ratings.jsonl");
        Assert.That((await PostgreSqlCollector.CollectAsync(DataSource, options, output)).Appended, Is.EqualTo(2));
        var first = JsonDocument.Parse((await File.ReadAllLinesAsync(output))[0]).RootElement;
        Assert.That(first.GetProperty("tokens").GetDouble(), Is.EqualTo(120));
        Assert.That(first.GetProperty("provider").GetString(), Is.EqualTo("openai"));
        Assert.That(first.TryGetProperty("rated_at", out _), Is.False);

        await ExecuteAsync($"INSERT INTO \"{Schema}\".ratings VALUES ('2026-01-01T00:00:03Z', 'openai', 50, 90)");
        Assert.That((await PostgreSqlCollector.CollectAsync(DataSource, options, output)).Appended, Is.EqualTo(1), "the microsecond timestamp key round-trips: the first two are not collected again");
        Assert.That(first.TryGetProperty("xmin", out _), Is.False, "the row version is not a feature");

        var noVersion = new PostgreSqlCollectOptions { Query = $"SELECT rated_at, score FROM \"{Schema}\".ratings", TargetColumn = "score", KeyColumn = "rated_at" };
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => PostgreSqlCollector.CollectAsync(DataSource, noVersion, Path.Combine(Folder, "no-xmin.jsonl")));
        Assert.That(error!.Message, Does.Contain("xmin").And.Contain("SELECT r.xmin"));
    }

    [Test]
    public async Task Reports_a_missing_column_by_name()
    {
        var options = new PostgreSqlCollectOptions { Query = "SELECT 1 AS id, 0.5 AS score, '7'::xid AS xmin", TargetColumn = "quality_score", KeyColumn = "id" };
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => PostgreSqlCollector.CollectAsync(DataSource, options, Path.Combine(Folder, "x.jsonl")));
        Assert.That(error!.Message, Does.Contain("quality_score"));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
