using System.CommandLine;
using System.Text.Json;
using QualityPrediction.PostgreSql;

namespace QualityPrediction.Cli.Commands;

/// <summary><c>quality migrate [--connection-string-env QUALITY_PG] [--schema public]</c>: create the feedback tables (idempotent).</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var variable = PostgreSqlCommandHelpers.ConnectionStringEnvOption();
        var schema = PostgreSqlCommandHelpers.SchemaOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var command = new Command("migrate", "Create the PostgreSQL feedback tables and indexes (quality_predictions, quality_outcomes) when missing; safe to run again.")
        {
            variable, schema, json,
        };

        command.SetAction((parse, cancellationToken) => PostgreSqlCommandHelpers.Guard(parse, cancellationToken, async ct =>
        {
            var connectionString = PostgreSqlCommandHelpers.ConnectionString(parse.GetValue(variable)!);
            var store = new PostgreSqlFeedbackStore(new PostgreSqlFeedbackStoreOptions { ConnectionString = connectionString, Schema = parse.GetValue(schema)! });
            await using (store.ConfigureAwait(false))
            {
                var version = await store.MigrateAsync(ct).ConfigureAwait(false);
                var counts = await store.GetCountsAsync(ct).ConfigureAwait(false);
                var stdout = CliHelpers.Out(parse);
                if (parse.GetValue(json))
                {
                    await stdout.WriteLineAsync(JsonSerializer.Serialize(new { schema = store.Schema, schemaVersion = version, counts.Predictions, counts.Outcomes, counts.Joined }, CliHelpers.Json)).ConfigureAwait(false);
                }
                else
                {
                    await stdout.WriteLineAsync($"schema {store.Schema}: feedback tables at version {version} ({counts.Predictions} predictions, {counts.Outcomes} outcomes, {counts.Joined} rows for training)").ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
