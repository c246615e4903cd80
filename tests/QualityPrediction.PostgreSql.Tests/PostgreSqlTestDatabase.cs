using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace QualityPrediction.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL server the tests run against, from the QUALITY_PG connection string (set by <c>source .ci/postgres.sh</c>).
/// Without it the tests are ignored on a developer machine and fail in CI (CI=true). Each test gets its own schema.
/// </summary>
internal static class PostgreSqlTestDatabase
{
    public const string Variable = "QUALITY_PG";
    private const string HowToEnable = "Run `source .ci/postgres.sh` (installs PostgreSQL from Debian packages, starts a server on 127.0.0.1:55432 and exports QUALITY_PG, QUALITY_PG_CTL and QUALITY_PG_DATA), then run the tests from that shell.";

    private static readonly ConcurrentDictionary<string, bool> Announced = new(StringComparer.Ordinal);

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets the connection string, or ignores (developer machine) / fails (CI) the test when there is no reachable server.</summary>
    public static string RequireConnectionString()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Unavailable($"{Variable} is not set. {HowToEnable}");
        }

        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            Unavailable($"The PostgreSQL server in {Variable} is not reachable ({ex.Message}). {HowToEnable}");
        }

        return connectionString!;
    }

    /// <summary>Gets pg_ctl (a wrapper that runs as the postgres user) and the data folder, to stop and start the server.</summary>
    public static (string PgCtl, string Data) RequireServerControl()
    {
        var pgCtl = Environment.GetEnvironmentVariable("QUALITY_PG_CTL");
        var data = Environment.GetEnvironmentVariable("QUALITY_PG_DATA");
        if (string.IsNullOrWhiteSpace(pgCtl) || string.IsNullOrWhiteSpace(data))
        {
            Unavailable($"QUALITY_PG_CTL and QUALITY_PG_DATA are not set, so the server cannot be stopped and restarted. {HowToEnable}");
        }

        return (pgCtl!, data!);
    }

    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..12];

    public static async Task DropSchemaAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs pg_ctl with the given arguments and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> PgCtlAsync(string pgCtl, params string[] arguments)
    {
        var info = new ProcessStartInfo(pgCtl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static void Unavailable(string message)
    {
        if (IsCi)
        {
            Assert.Fail($"CI=true but PostgreSQL is unavailable: {message}");
        }

        // The reason of an ignored test shows only at normal verbosity; the error stream shows in `dotnet test`'s default
        // output, so each distinct reason is written there once per run.
        if (Announced.TryAdd(message, true))
        {
            TestContext.Error.WriteLine($"PostgreSQL tests skipped: {message}");
        }

        Assert.Ignore(message);
    }
}
