using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace QualityPrediction.WebApi.Tests;

/// <summary>
/// The built web sample (samples/QualityPrediction.WebApi) running as a child process on a loopback port that Kestrel
/// picks (<c>--urls http://127.0.0.1:0</c>); the address is read from its "Now listening on" log line.
/// </summary>
internal sealed partial class WebApiProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly List<string> _output = [];

    private WebApiProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    /// <summary>The sample's output folder, next to this test project's own (same configuration and framework).</summary>
    public static string AppFolder
    {
        get
        {
            var testFolder = AppContext.BaseDirectory; // tests/QualityPrediction.WebApi.Tests/bin/<Configuration>/<tfm>/
            var configuration = typeof(WebApiProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var tfm = new DirectoryInfo(testFolder).Name;
            var root = new DirectoryInfo(testFolder);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "QualityPrediction.sln")))
            {
                root = root.Parent;
            }

            if (root is null)
            {
                throw new InvalidOperationException($"No QualityPrediction.sln above {testFolder}.");
            }

            return Path.Combine(root.FullName, "samples", "QualityPrediction.WebApi", "bin", configuration, tfm);
        }
    }

    public static async Task<WebApiProcess> StartAsync(params string[] arguments)
    {
        var dll = Path.Combine(AppFolder, "QualityPrediction.WebApi.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The web sample is not built: {dll}.", dll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var lines = new List<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(StartTimeout)).ConfigureAwait(false);
        if (first != listening.Task)
        {
            var why = first == exited ? $"exited with code {process.ExitCode}" : $"did not listen within {StartTimeout.TotalSeconds} s";
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            string output;
            lock (lines)
            {
                output = string.Join(Environment.NewLine, lines);
            }

            process.Dispose();
            throw new InvalidOperationException($"The web sample {why}. Its output:{Environment.NewLine}{output}");
        }

        var app = new WebApiProcess(process, await listening.Task.ConfigureAwait(false));
        lock (lines)
        {
            app._output.AddRange(lines);
        }

        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
