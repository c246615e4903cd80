using System.Diagnostics;
using System.Text;

namespace QualityPrediction.Packaging.Tests.TestSupport;

/// <summary>The result of a finished child process: its exit code and its standard output and error, interleaved.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string Output, TimeSpan Duration)
{
    /// <summary>Fails the test, with the command and the tail of its output, unless the process exited with 0.</summary>
    public ProcessResult ShouldSucceed()
    {
        if (ExitCode != 0)
        {
            Assert.Fail($"`{Command}` exited with {ExitCode} after {Duration.TotalSeconds:F0} s:{Environment.NewLine}{Tail(Output, 6000)}");
        }

        return this;
    }

    public static string Tail(string text, int length) => text.Length <= length ? text : "…" + text[^length..];
}

/// <summary>Runs child processes (dotnet, git, bash) with a timeout; a process that runs over is killed with its children.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // The test host's own MSBuild and runtime settings must not leak into the child build.
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG" })
        {
            start.Environment.Remove(variable);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                if (value is null)
                {
                    start.Environment.Remove(name);
                }
                else
                {
                    start.Environment[name] = value;
                }
            }
        }

        var command = $"{fileName} {string.Join(' ', start.ArgumentList)}";
        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"`{command}` did not finish within {timeout.TotalSeconds:F0} s:{Environment.NewLine}{ProcessResult.Tail(Snapshot(output), 6000)}");
        }

        process.WaitForExit(); // flushes the asynchronous output readers
        return new ProcessResult(command, process.ExitCode, Snapshot(output), watch.Elapsed);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
