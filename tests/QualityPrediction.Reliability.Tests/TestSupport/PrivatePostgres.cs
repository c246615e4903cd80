using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace QualityPrediction.Reliability.Tests.TestSupport;

/// <summary>
/// A throwaway PostgreSQL cluster of this test's own, made with the server that <c>.ci/postgres.sh</c> installed
/// (through its <c>QUALITY_PG_CTL</c> wrapper), so killing its postmaster cannot disturb the other test projects that
/// share the <c>QUALITY_PG</c> server while the solution's tests run in parallel. Ignored on a developer machine without
/// PostgreSQL; a failure when <c>CI=true</c>.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private const string HowToEnable = "Run `source .ci/postgres.sh` (installs PostgreSQL from Debian packages, starts a server and exports QUALITY_PG, QUALITY_PG_CTL and QUALITY_PG_DATA), then run the tests from that shell.";

    private static int _announced;

    private readonly string _pgCtl;

    private PrivatePostgres(string pgCtl, string data, int port)
    {
        _pgCtl = pgCtl;
        Data = data;
        Port = port;
        ConnectionString = string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=5;Command Timeout=30");
    }

    public string Data { get; }

    public int Port { get; }

    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var shared = Environment.GetEnvironmentVariable("QUALITY_PG");
        var pgCtl = Environment.GetEnvironmentVariable("QUALITY_PG_CTL");
        if (string.IsNullOrWhiteSpace(shared) || string.IsNullOrWhiteSpace(pgCtl) || !File.Exists(pgCtl))
        {
            var message = $"QUALITY_PG and QUALITY_PG_CTL are not set. {HowToEnable}";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"CI=true but PostgreSQL is unavailable: {message}");
            }

            // The reason of an ignored test shows only at normal verbosity; the error stream shows in `dotnet test`'s
            // default output.
            if (Interlocked.Exchange(ref _announced, 1) == 0)
            {
                TestContext.Error.WriteLine($"PostgreSQL tests skipped: {message}");
            }

            Assert.Ignore(message);
        }

        var data = Path.Combine(Path.GetTempPath(), "qp-reliability-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var port = FreePort();
        var cluster = new PrivatePostgres(pgCtl!, data, port);
        var init = await cluster.PgCtlAsync("initdb", "-D", data, "-s", "-o", "-U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
        Assert.That(init.ExitCode, Is.Zero, "initdb: " + init.Output);
        await cluster.StartServerAsync();
        return cluster;
    }

    /// <summary>Starts the server (retrying while the killed one's children still hold its shared memory).</summary>
    public async Task StartServerAsync()
    {
        var options = string.Create(CultureInfo.InvariantCulture, $"-p {Port} -c listen_addresses=127.0.0.1 -k {Data} -c fsync=on -c max_connections=50");
        (int ExitCode, string Output) last = default;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            last = await PgCtlAsync("start", "-D", Data, "-w", "-t", "60", "-l", Path.Combine(Data, "server.log"), "-o", options);
            if (last.ExitCode == 0)
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"the server did not start: {last.Output}\n{TailLog()}");
    }

    /// <summary>Sends SIGKILL to the postmaster (not a clean stop: no checkpoint, no shutdown of the backends) and waits until it is gone.</summary>
    public async Task KillPostmasterAsync()
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(Data, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        using var postmaster = Process.GetProcessById(pid);
        postmaster.Kill(entireProcessTree: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await postmaster.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PgCtlAsync("stop", "-D", Data, "-m", "immediate", "-w");
        try
        {
            Directory.Delete(Data, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: /tmp is cleaned eventually.
        }
    }

    private string TailLog()
    {
        var log = Path.Combine(Data, "server.log");
        return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "(no server log)";
    }

    private async Task<(int ExitCode, string Output)> PgCtlAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(_pgCtl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
