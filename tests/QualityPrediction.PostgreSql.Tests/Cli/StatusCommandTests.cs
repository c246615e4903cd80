using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using QualityPrediction.Feedback;

namespace QualityPrediction.PostgreSql.Tests.Cli;

/// <summary>`quality status --connection-string-env` against the real PostgreSQL server: reachability, migration, counts, backlog and rolling metrics.</summary>
[NonParallelizable]
public class StatusCommandTests : PostgreSqlTestBase
{
    private string _variable = null!;

    [SetUp]
    public void SetVariable()
    {
        // The connection string reaches the command through an environment variable, as in production.
        _variable = "QP_STATUS_TEST_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(_variable, Environment.GetEnvironmentVariable(PostgreSqlTestDatabase.Variable));
    }

    [TearDown]
    public void ClearVariable() => Environment.SetEnvironmentVariable(_variable, null);

    [Test]
    public async Task Reports_counts_backlog_and_the_rolling_error_of_the_most_recent_rows()
    {
        // Predictions 0..9 (score 50 + i % 10; source heuristic when i % 3 == 0, else model 0001); outcomes for 0..7, observed = score + i.
        var predictions = Enumerable.Range(0, 10).Select(Prediction).ToList();
        await Store.WritePredictionsAsync(predictions);
        await Store.WriteOutcomesAsync([.. predictions.Take(8).Select((p, i) => Outcome(p, p.Score + i))]);
        var dataset = Path.Combine(Folder, "dataset.jsonl");
        await Run(0, "collect", "--output", dataset, "--connection-string-env", _variable, "--schema", Schema);
        var late = Prediction(10);
        await Store.WritePredictionsAsync([late]);
        await Store.WriteOutcomesAsync([Outcome(late, late.Score + 8), new OutcomeRecord(Guid.NewGuid(), 1, Start)]);

        var (_, stdout) = await Run(0, "status", "--connection-string-env", _variable, "--schema", Schema, "--dataset", dataset, "--window", "6", "--json");
        using var json = JsonDocument.Parse(stdout);
        var store = json.RootElement.GetProperty("store");
        Assert.That(store.GetProperty("kind").GetString(), Is.EqualTo("postgresql"));
        Assert.That(store.GetProperty("reachable").GetBoolean(), Is.True);
        Assert.That(store.GetProperty("migrated").GetBoolean(), Is.True);
        Assert.That(store.GetProperty("schemaVersion").GetInt32(), Is.EqualTo(2));
        Assert.That(store.GetProperty("predictions").GetInt64(), Is.EqualTo(11));
        Assert.That(store.GetProperty("outcomes").GetInt64(), Is.EqualTo(10));
        Assert.That(store.GetProperty("joined").GetInt64(), Is.EqualTo(9));
        Assert.That(store.GetProperty("predictionsWithoutOutcome").GetInt64(), Is.EqualTo(2));
        Assert.That(store.GetProperty("notYetCollected").GetInt64(), Is.EqualTo(1), "one joined row arrived after the collection");
        Assert.That(json.RootElement.GetProperty("dataset").GetProperty("rows").GetInt64(), Is.EqualTo(8));

        // The 6 most recent joined rows are i = 3..7 and the late i = 10, with errors 3, 4, 5, 6, 7 and 8 (tolerance 5):
        // heuristic i = 3, 6 -> MAE 4.5, 1 of 2 within; model 0001 i = 4, 5, 7, 10 -> MAE 6, 2 of 4 within.
        var monitor = json.RootElement.GetProperty("monitor");
        Assert.That(monitor.GetProperty("rows").GetInt32(), Is.EqualTo(6));
        var metrics = monitor.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("source").GetString()!);
        Assert.That(metrics["heuristic"].GetProperty("count").GetInt32(), Is.EqualTo(2));
        Assert.That(metrics["heuristic"].GetProperty("mae").GetDouble(), Is.EqualTo(4.5).Within(1e-9));
        Assert.That(metrics["heuristic"].GetProperty("accuracy").GetDouble(), Is.EqualTo(0.5).Within(1e-9));
        Assert.That(metrics["model"].GetProperty("modelVersion").GetString(), Is.EqualTo("0001"));
        Assert.That(metrics["model"].GetProperty("count").GetInt32(), Is.EqualTo(4));
        Assert.That(metrics["model"].GetProperty("mae").GetDouble(), Is.EqualTo(6).Within(1e-9));
        Assert.That(metrics["model"].GetProperty("accuracy").GetDouble(), Is.EqualTo(0.5).Within(1e-9));

        var (_, text) = await Run(0, "status", "--connection-string-env", _variable, "--schema", Schema);
        Assert.That(text, Does.Contain($"postgresql feedback store (schema {Schema}): reachable, schema version 2; 11 predictions, 10 outcomes, 9 rows for training, 2 predictions without outcome"));
    }

    [Test]
    public async Task An_unmigrated_schema_and_an_unreachable_server_exit_with_3_and_say_why()
    {
        var empty = PostgreSqlTestDatabase.NewSchema();
        var (_, stdout) = await Run(3, "status", "--connection-string-env", _variable, "--schema", empty, "--json");
        using (var json = JsonDocument.Parse(stdout))
        {
            var store = json.RootElement.GetProperty("store");
            Assert.That(store.GetProperty("reachable").GetBoolean(), Is.True);
            Assert.That(store.GetProperty("migrated").GetBoolean(), Is.False);
            Assert.That(store.GetProperty("error").GetString(), Does.Contain($"run `quality migrate --schema {empty}`"));
            Assert.That(json.RootElement.GetProperty("monitor").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }

        // A port nothing listens on.
        Environment.SetEnvironmentVariable(_variable, "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=none;Timeout=3");
        var (_, down) = await Run(3, "status", "--connection-string-env", _variable);
        Assert.That(down, Does.StartWith("postgresql feedback store (schema public): UNREACHABLE: "));
    }

    private static async Task<(int Code, string Out)> Run(int expected, params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await Cli().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        Assert.That(code, Is.EqualTo(expected), $"quality {string.Join(' ', args)}:\n{error}\n{output}");
        return (code, output.ToString());
    }

    /// <summary>The CLI's status and collect commands, as the tool builds them (its types are internal: reached by reflection).</summary>
    private static RootCommand Cli()
    {
        var assembly = Assembly.Load("quality");
        Command Create(string type) => (Command)assembly.GetType($"QualityPrediction.Cli.Commands.{type}", throwOnError: true)!.GetMethod("Create")!.Invoke(null, null)!;
        return new RootCommand { Create("StatusCommand"), Create("CollectCommand") };
    }
}
