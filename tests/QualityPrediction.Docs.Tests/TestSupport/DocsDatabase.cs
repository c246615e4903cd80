using System.Collections.Concurrent;
using Npgsql;

namespace QualityPrediction.Docs.Tests.TestSupport;

/// <summary>A database of its own on the QUALITY_PG server (set by <c>source .ci/postgres.sh</c>), dropped afterwards;
/// without the server the test is ignored on a developer machine (with the reason in the default output) and fails in CI.</summary>
internal sealed class DocsDatabase : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, bool> Announced = new(StringComparer.Ordinal);
    private readonly string _admin;

    private DocsDatabase(string admin, string connectionString, string name)
    {
        _admin = admin;
        ConnectionString = connectionString;
        Name = name;
    }

    public string ConnectionString { get; }

    public string Name { get; }

    /// <summary>The libpq form of the connection string, for psql.</summary>
    public string Psql
    {
        get
        {
            var b = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"host={b.Host} port={b.Port} user={b.Username} password={b.Password} dbname={b.Database}";
        }
    }

    public static async Task<DocsDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable("QUALITY_PG");
        if (string.IsNullOrWhiteSpace(admin))
        {
            Unavailable("QUALITY_PG is not set. Run `source .ci/postgres.sh`, then the tests from that shell.");
        }

        var name = "quality_docs_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException ex)
        {
            Unavailable($"The PostgreSQL server in QUALITY_PG is not reachable or refuses CREATE DATABASE ({ex.Message}). Run `source .ci/postgres.sh`.");
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new DocsDatabase(admin!, builder.ConnectionString, name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static void Unavailable(string message)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"CI=true but PostgreSQL is unavailable: {message}");
        }

        if (Announced.TryAdd(message, true))
        {
            TestContext.Error.WriteLine($"PostgreSQL tests skipped: {message}");
        }

        Assert.Ignore(message);
    }
}
