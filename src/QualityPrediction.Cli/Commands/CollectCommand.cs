using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using QualityPrediction.Feedback;
using QualityPrediction.PostgreSql;

namespace QualityPrediction.Cli.Commands;

/// <summary>
/// <c>quality collect --output FILE</c>: append new training rows (JSON lines) from the PostgreSQL feedback store (default),
/// the embedded store (<c>--feedback-folder</c>), or any PostgreSQL table or query with a column mapping
/// (<c>--table</c>/<c>--query</c>). A watermark beside the output makes each run append only new rows, each exactly once.
/// </summary>
internal static class CollectCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "The JSON-lines dataset to append to; its watermark is kept in OUTPUT.watermark.json.", Required = true };
        var variable = PostgreSqlCommandHelpers.ConnectionStringEnvOption();
        var schema = PostgreSqlCommandHelpers.SchemaOption();
        var folder = new Option<string?>("--feedback-folder") { Description = "Collect from the embedded JSON-lines feedback store in this folder instead of PostgreSQL." };
        var table = new Option<string?>("--table") { Description = "Collect from this PostgreSQL table (schema.table) with a column mapping instead of the feedback store." };
        var query = new Option<string?>("--query") { Description = "Collect from this PostgreSQL SELECT query with a column mapping instead of the feedback store." };
        var targetColumn = new Option<string>("--target-column") { Description = "With --table/--query: the column holding the observed quality.", DefaultValueFactory = _ => "quality_score" };
        var targetScale = NumberOptions.Double("--target-scale", "With --table/--query: multiply the target by this (100 turns 0–1 into 0–100).", 1);
        var key = new Option<string?>("--key-column", "--watermark-column") { Description = "With --table/--query: the column that identifies a row (its primary key); each labelled row is collected once. A --query must also return the labelled table's xmin." };
        var features = new Option<string[]>("--feature") { Description = "With --table/--query: a column that becomes a feature, as COLUMN or COLUMN=NAME (repeat, or separate with commas); default: every other column.", AllowMultipleArgumentsPerToken = true };
        var target = new Option<string>("--target") { Description = "The name of the target in the output records.", DefaultValueFactory = _ => "quality" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var command = new Command("collect", "Append new training rows (JSON lines) from the feedback store or a PostgreSQL table/query; a watermark beside the output makes reruns incremental.")
        {
            output, variable, schema, folder, table, query, targetColumn, targetScale, key, features, target, json,
        };

        command.SetAction((parse, cancellationToken) => PostgreSqlCommandHelpers.Guard(parse, cancellationToken, async ct =>
        {
            var path = parse.GetValue(output)!;
            var targetName = parse.GetValue(target)!;
            var tableName = parse.GetValue(table);
            var queryText = parse.GetValue(query);
            var feedbackFolder = parse.GetValue(folder);
            if (feedbackFolder is not null && (tableName is not null || queryText is not null))
            {
                throw new ArgumentException("--feedback-folder cannot be combined with --table or --query.");
            }

            CollectResult result;
            string from;
            if (feedbackFolder is not null)
            {
                if (!Directory.Exists(feedbackFolder))
                {
                    throw new DirectoryNotFoundException($"--feedback-folder: folder '{feedbackFolder}' does not exist.");
                }

                using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = feedbackFolder });
                result = await FeedbackCollector.CollectAsync(store, path, targetName, ct).ConfigureAwait(false);
                from = $"feedback folder {feedbackFolder}";
            }
            else if (tableName is not null || queryText is not null)
            {
                var options = new PostgreSqlCollectOptions
                {
                    Table = tableName,
                    Query = queryText,
                    TargetColumn = parse.GetValue(targetColumn)!,
                    TargetScale = parse.GetValue(targetScale),
                    TargetName = targetName,
                    KeyColumn = parse.GetValue(key) ?? throw new ArgumentException("--key-column is required with --table or --query (the column that identifies a row, such as an identity id)."),
                };
                foreach (var mapping in CliHelpers.SplitList(parse.GetValue(features)))
                {
                    var parts = mapping.Split('=', 2, StringSplitOptions.TrimEntries);
                    options.Features[parts[0]] = parts.Length == 2 && parts[1].Length > 0 ? parts[1] : parts[0];
                }

                var dataSource = NpgsqlDataSource.Create(PostgreSqlCommandHelpers.ConnectionString(parse.GetValue(variable)!));
                await using (dataSource.ConfigureAwait(false))
                {
                    result = await PostgreSqlCollector.CollectAsync(dataSource, options, path, ct).ConfigureAwait(false);
                }

                from = tableName is not null ? $"table {tableName}" : "query";
            }
            else
            {
                var store = new PostgreSqlFeedbackStore(new PostgreSqlFeedbackStoreOptions
                {
                    ConnectionString = PostgreSqlCommandHelpers.ConnectionString(parse.GetValue(variable)!),
                    Schema = parse.GetValue(schema)!,
                });
                await using (store.ConfigureAwait(false))
                {
                    result = await PostgreSqlCollector.CollectFeedbackAsync(store, path, targetName, ct).ConfigureAwait(false);
                }

                from = $"PostgreSQL feedback store (schema {parse.GetValue(schema)})";
            }

            var stdout = CliHelpers.Out(parse);
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new { output = result.OutputPath, from, appended = result.Appended, rows = result.Rows, watermark = result.Watermark }, CliHelpers.Json)).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{from}: appended {result.Appended} rows to {result.OutputPath} ({result.Rows} in total; watermark {result.Watermark ?? "(none)"})")).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
