using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace QualityPrediction.PostgreSql.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster of one test, created with the pg_ctl that <c>.ci/postgres.sh</c> exposes, on a free
/// loopback port: stopping it cannot disturb the other test projects sharing the QUALITY_PG server.
/// </summary>
internal sealed class PrivateCluster : IAsyncDisposable
{
    private readonly string _pgCtl;
    private readonly int _port;

    private PrivateCluster(string pgCtl, string data, int port)
    {
        _pgCtl = pgCtl;
        Data = data;
        _port = port;
        ConnectionString = string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=5");
    }

    public string Data { get; }

    public string ConnectionString { get; }

    public static async Task<PrivateCluster> CreateAsync()
    {
        var (pgCtl, _) = PostgreSqlTestDatabase.RequireServerControl();
        var data = Path.Combine("/tmp", "qp-pg-private-" + Guid.NewGuid().ToString("N")[..10]);
        var cluster = new PrivateCluster(pgCtl, data, FreePort());
        var init = await PostgreSqlTestDatabase.PgCtlAsync(pgCtl, "initdb", "-D", data, "-s", "-o", "-U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
        Assert.That(init.ExitCode, Is.Zero, "initdb: " + init.Output);
        await cluster.StartAsync();
        return cluster;
    }

    public async Task StartAsync()
    {
        var options = string.Create(CultureInfo.InvariantCulture, $"-p {_port} -k {Data} -c listen_addresses=127.0.0.1 -c fsync=on");
        var start = await PostgreSqlTestDatabase.PgCtlAsync(_pgCtl, "start", "-D", Data, "-w", "-t", "60", "-l", Path.Combine(Data, "server.log"), "-o", options);
        Assert.That(start.ExitCode, Is.Zero, "pg_ctl start: " + start.Output);
    }

    public async Task StopAsync(string mode)
    {
        var stop = await PostgreSqlTestDatabase.PgCtlAsync(_pgCtl, "stop", "-D", Data, "-m", mode, "-w");
        Assert.That(stop.ExitCode, Is.Zero, "pg_ctl stop: " + stop.Output);
    }

    public async ValueTask DisposeAsync()
    {
        await PostgreSqlTestDatabase.PgCtlAsync(_pgCtl, "stop", "-D", Data, "-m", "immediate", "-w");
        try
        {
            Directory.Delete(Data, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
