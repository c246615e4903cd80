using System.Reflection;
using QualityPrediction.Packaging.Tests.TestSupport;

namespace QualityPrediction.Docs.Tests.TestSupport;

/// <summary>
/// Runs the commands of the docs' shell blocks in a scratch folder holding a copy of the files they read (data/, the
/// console sample's data and model), with <c>quality</c> on PATH as the CLI this solution built. Mechanical
/// substitutions, and nothing else:
/// <list type="bullet">
/// <item><c>dotnet run --project src/QualityPrediction.Cli --</c> → <c>quality</c> (the same project, already built);</item>
/// <item><c>--repeats 3</c> → <c>--repeats 1</c> unless <c>QUALITY_DOCS_FULL=1</c> (the acceptance trainings take 3 times
/// as long; their checks allow for the difference);</item>
/// <item><c>/var/lib/myapp/</c> → the scratch folder's <c>myapp/</c>;</item>
/// <item>any other pair given to <see cref="Replace"/> (a test database, a port), which the test names.</item>
/// </list>
/// An <c>export NAME=VALUE</c> sets the variable for the later commands; the same command is run once per walkthrough.
/// </summary>
internal sealed class Walkthrough
{
    private readonly Dictionary<string, string?> _environment = new(StringComparer.Ordinal);
    private readonly List<(string From, string To)> _replacements = [];
    private readonly Dictionary<string, ProcessResult> _done = new(StringComparer.Ordinal);

    private Walkthrough(string folder)
    {
        Folder = folder;
        var bin = Path.Combine(folder, ".bin");
        Directory.CreateDirectory(bin);
        var shim = Path.Combine(bin, "quality");
        File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet \"{CliDll}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        _environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        Replace("dotnet run --project src/QualityPrediction.Cli -- ", "quality ");
        Replace("/var/lib/myapp/", Path.Combine(folder, "myapp") + "/");
        if (!Full)
        {
            Replace("--repeats 3", "--repeats 1");
        }
    }

    /// <summary><c>QUALITY_DOCS_FULL=1</c>: the commands exactly as the docs give them (the acceptance trainings with 3 repeats).</summary>
    public static bool Full => Environment.GetEnvironmentVariable("QUALITY_DOCS_FULL") == "1";

    public static string Configuration => typeof(Walkthrough).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string CliDll => Path.Combine(MarkdownDoc.Root, "src", "QualityPrediction.Cli", "bin", Configuration, "net10.0", "quality.dll");

    public string Folder { get; }

    public static Walkthrough Create(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"qp-docs-{name}-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(folder);
        Copy(Path.Combine(MarkdownDoc.Root, "data"), Path.Combine(folder, "data"));
        foreach (var part in new[] { "data", "models" })
        {
            Copy(Path.Combine(MarkdownDoc.Root, "samples", "QualityPrediction.Sample", part), Path.Combine(folder, "samples", "QualityPrediction.Sample", part));
        }

        Assert.That(CliDll, Does.Exist, "the CLI is built with this test project");
        return new Walkthrough(folder);
    }

    public Walkthrough Replace(string from, string to)
    {
        _replacements.Add((from, to));
        return this;
    }

    public string Substitute(string command) => _replacements.Aggregate(command, (c, r) => c.Replace(r.From, r.To, StringComparison.Ordinal));

    /// <summary>Runs every command of the block in order (each in its own bash, in the scratch folder) and returns their results.</summary>
    public async Task<IReadOnlyList<ProcessResult>> RunAsync(FencedBlock block, TimeSpan? timeout = null)
    {
        var results = new List<ProcessResult>();
        foreach (var command in MarkdownDoc.Commands(block).Select(c => c.StartsWith("$ ", StringComparison.Ordinal) ? c[2..] : c))
        {
            results.Add(await RunAsync(command, timeout));
        }

        return results;
    }

    public async Task<ProcessResult> RunAsync(string command, TimeSpan? timeout = null)
    {
        var text = Substitute(command);
        if (text.StartsWith("export ", StringComparison.Ordinal) && text.Contains('=', StringComparison.Ordinal))
        {
            var assignment = text["export ".Length..];
            var name = assignment[..assignment.IndexOf('=', StringComparison.Ordinal)];
            _environment[name] = assignment[(name.Length + 1)..].Trim('\'', '"');
            return new ProcessResult(text, 0, "", TimeSpan.Zero);
        }

        if (_done.TryGetValue(text, out var earlier))
        {
            return earlier;
        }

        var result = await ProcessRunner.RunAsync("bash", ["-c", "set -o pipefail\n" + text], Folder, timeout ?? TimeSpan.FromMinutes(10), _environment);
        TestContext.Out.WriteLine($"$ {text}   [{result.ExitCode}, {result.Duration.TotalSeconds:F0} s]");
        _done[text] = result;
        return result;
    }

    public void Delete()
    {
        if (Environment.GetEnvironmentVariable("QUALITY_DOCS_KEEP") != "1" && Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static void Copy(string source, string destination)
    {
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
