namespace QualityPrediction.Packaging.Tests.TestSupport;

/// <summary>
/// The repository this test runs from, and a scratch copy of its working tree (tracked and untracked files, without
/// what .gitignore ignores) as a git repository of its own with one commit and an https remote "origin", so that
/// SourceLink has what a user's clone has: a remote and a commit.
/// </summary>
internal static class RepositoryCopy
{
    /// <summary>The remote the copy gets when the checkout has no https "origin" of its own (a local clone, CI's clone).</summary>
    public const string StandInRemote = "https://github.com/qualityprediction/QualityPrediction";

    public static string Root { get; } = FindRoot();

    public static async Task<(string Folder, string Remote, string Commit)> CreateAsync(string destination)
    {
        var files = await ProcessRunner.RunAsync("git", ["ls-files", "-co", "--exclude-standard", "-z"], Root, TimeSpan.FromMinutes(1));
        files.ShouldSucceed();
        Directory.CreateDirectory(destination);
        foreach (var relative in files.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Trim('\r', '\n')))
        {
            var source = Path.Combine(Root, relative);
            if (!File.Exists(source))
            {
                continue; // deleted in the working tree, not yet in the index
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }

        var origin = await ProcessRunner.RunAsync("git", ["remote", "get-url", "origin"], Root, TimeSpan.FromMinutes(1));
        var remote = origin.ExitCode == 0 && origin.Output.Trim().StartsWith("https://", StringComparison.Ordinal) ? origin.Output.Trim() : StandInRemote;
        string[][] steps =
        [
            ["init", "-q", "-b", "main"],
            ["add", "-A"],
            ["-c", "user.name=packaging-tests", "-c", "user.email=packaging-tests@localhost", "commit", "-q", "-m", "scratch copy of the working tree"],
            ["remote", "add", "origin", remote],
        ];
        foreach (var step in steps)
        {
            (await ProcessRunner.RunAsync("git", step, destination, TimeSpan.FromMinutes(2))).ShouldSucceed();
        }

        var head = (await ProcessRunner.RunAsync("git", ["rev-parse", "HEAD"], destination, TimeSpan.FromMinutes(1))).ShouldSucceed();
        return (destination, remote, head.Output.Trim());
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "QualityPrediction.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No QualityPrediction.sln above {AppContext.BaseDirectory}.");
    }
}
