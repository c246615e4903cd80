using System.CommandLine;
using Npgsql;

namespace QualityPrediction.Cli.Commands;

/// <summary>Options and error handling shared by the commands that talk to PostgreSQL.</summary>
internal static class PostgreSqlCommandHelpers
{
    /// <summary>The default environment variable holding the connection string.</summary>
    public const string DefaultVariable = "QUALITY_PG";

    public static Option<string> ConnectionStringEnvOption() => new("--connection-string-env")
    {
        Description = "The environment variable holding the Npgsql connection string (connection strings never go on the command line).",
        DefaultValueFactory = _ => DefaultVariable,
    };

    public static Option<string> SchemaOption() => new("--schema")
    {
        Description = "The schema of the feedback tables.",
        DefaultValueFactory = _ => "public",
    };

    /// <summary>Reads the connection string from the named environment variable.</summary>
    /// <exception cref="ArgumentException">The variable is not set.</exception>
    public static string ConnectionString(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException($"--connection-string-env: environment variable {variable} is not set; export it with an Npgsql connection string, e.g. Host=127.0.0.1;Port=5432;Username=…;Password=…;Database=….")
            : value;
    }

    /// <summary>Runs a body, mapping database and data errors to a message and an exit code; other errors go to <see cref="CliHelpers.Guard"/>.</summary>
    public static Task<int> Guard(ParseResult parse, CancellationToken cancellationToken, Func<CancellationToken, Task<int>> body) =>
        CliHelpers.Guard(parse, cancellationToken, async ct =>
        {
            try
            {
                return await body(ct).ConfigureAwait(false);
            }
            catch (NpgsqlException ex) when (!ct.IsCancellationRequested)
            {
                await CliHelpers.Err(parse).WriteLineAsync($"quality: PostgreSQL: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (InvalidDataException ex)
            {
                await CliHelpers.Err(parse).WriteLineAsync($"quality: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
        });
}
