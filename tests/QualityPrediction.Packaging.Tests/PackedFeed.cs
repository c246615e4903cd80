using System.Globalization;
using QualityPrediction.Packaging.Tests.TestSupport;

namespace QualityPrediction.Packaging.Tests;

/// <summary>
/// Every package, packed once per test run with the README's own pack command (its "install-pack" block) from a scratch
/// copy of the working tree (<see cref="RepositoryCopy"/>), into a local folder feed that the package, tool and consumer
/// tests read. Mechanical substitutions, and nothing else: the feed folder is this run's, and the version is made unique
/// to this run (<c>-p:Version=…</c>, and in the README's later commands) so that the NuGet cache can never serve a package
/// packed by an earlier run; the pack runs with <c>CI=true</c>, as in CI, so the build is deterministic.
/// </summary>
internal sealed class PackedFeed
{
    private const string ReadmeFeed = "~/qualityprediction-feed";
    private const string ReadmeVersion = "0.1.0";
    private static readonly Lazy<Task<PackedFeed>> Shared = new(PackAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private PackedFeed(string root, string repository, string feed, string remote, string commit, string version, ProcessResult pack)
    {
        Root = root;
        Repository = repository;
        Feed = feed;
        Remote = remote;
        Commit = commit;
        Version = version;
        Pack = pack;
    }

    /// <summary>The scratch folder of this run (the repository copy, the feed and the apps are inside).</summary>
    public string Root { get; }

    public string Repository { get; }

    public string Feed { get; }

    public string Remote { get; }

    public string Commit { get; }

    public string Version { get; }

    public ProcessResult Pack { get; }

    public static string Readme => Path.Combine(RepositoryCopy.Root, "README.md");

    /// <summary>The packages of the run (every <c>.nupkg</c> in the feed).</summary>
    public IReadOnlyList<string> Packages => Directory.GetFiles(Feed, "*.nupkg").Order(StringComparer.Ordinal).ToArray();

    public static Task<PackedFeed> GetAsync() => Shared.Value;

    /// <summary>A README command with the run's feed folder and version in place of the README's.</summary>
    public string Substitute(string command) =>
        command.Replace(ReadmeFeed, Feed, StringComparison.Ordinal).Replace($"--version {ReadmeVersion}", $"--version {Version}", StringComparison.Ordinal);

    /// <summary>Removes the run's packages from the NuGet cache and the scratch folder.</summary>
    public static void CleanUp()
    {
        if (!Shared.IsValueCreated || !Shared.Value.IsCompletedSuccessfully)
        {
            return;
        }

        var feed = Shared.Value.Result;
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in Directory.Exists(cache) ? Directory.GetDirectories(cache, "qualityprediction*") : [])
        {
            var version = Path.Combine(package, feed.Version.ToLowerInvariant());
            if (Directory.Exists(version))
            {
                Directory.Delete(version, recursive: true);
            }
        }

        if (Environment.GetEnvironmentVariable("QUALITY_PACKAGING_KEEP") != "1")
        {
            Directory.Delete(feed.Root, recursive: true);
        }
    }

    private static async Task<PackedFeed> PackAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "qp-packaging-" + Guid.NewGuid().ToString("N")[..8]);
        var (repository, remote, commit) = await RepositoryCopy.CreateAsync(Path.Combine(root, "repo"));
        var feed = Path.Combine(root, "feed");
        var version = string.Create(CultureInfo.InvariantCulture, $"{ReadmeVersion}-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");
        var commands = MarkdownBlocks.Commands(MarkdownBlocks.Read(Readme, "(install-pack)"));
        Assert.That(commands, Has.Count.EqualTo(1).And.All.StartWith("dotnet pack QualityPrediction.sln"), "README.md's install-pack block: one `dotnet pack QualityPrediction.sln …` command");
        var command = commands[0].Replace(ReadmeFeed, feed, StringComparison.Ordinal) + $" -p:Version={version}";
        var pack = await ProcessRunner.RunAsync("bash", ["-c", command], repository, TimeSpan.FromMinutes(25), new Dictionary<string, string?> { ["CI"] = "true" });
        pack.ShouldSucceed();
        return new PackedFeed(root, repository, feed, remote, commit, version, pack);
    }
}
