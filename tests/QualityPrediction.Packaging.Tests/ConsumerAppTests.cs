using System.Text.Json;
using System.Text.RegularExpressions;
using QualityPrediction.Packaging.Tests.TestSupport;

namespace QualityPrediction.Packaging.Tests;

/// <summary>
/// A new user's first app: a fresh console app outside the repository, made with the README's commands (its
/// "install-app" block) from the packed feed, whose Program.cs is the README's usage example as written (its
/// "readme-usage" block, <c>using</c> lines included), with the sample's model copied into the app's folder as the README
/// says, run with <c>dotnet run</c>.
/// </summary>
[TestFixture]
public sealed partial class ConsumerAppTests
{
    private string _app = "";
    private ProcessResult? _run;

    [OneTimeSetUp]
    public async Task CreateTheApp()
    {
        var feed = await PackedFeed.GetAsync();
        var apps = Path.Combine(feed.Root, "apps");
        Directory.CreateDirectory(apps);
        var commands = MarkdownBlocks.Commands(MarkdownBlocks.Read(PackedFeed.Readme, "(install-app)"));
        Assert.That(commands[0], Does.StartWith("dotnet new console -o MyApp"), "README.md's install-app block starts by making the app");
        var script = "set -euo pipefail\n" + string.Join('\n', commands.Select(feed.Substitute)) + "\n";
        (await ProcessRunner.RunAsync("bash", ["-c", script], apps, TimeSpan.FromMinutes(10))).ShouldSucceed();
        _app = Path.Combine(apps, "MyApp");

        await File.WriteAllTextAsync(Path.Combine(_app, "Program.cs"), MarkdownBlocks.Read(PackedFeed.Readme, "(readme-usage)"));
        CopyFolder(Path.Combine(RepositoryCopy.Root, "samples", "QualityPrediction.Sample", "models"), Path.Combine(_app, "models"));
        _run = await ProcessRunner.RunAsync("dotnet", ["run"], _app, TimeSpan.FromMinutes(10));
        TestContext.Out.WriteLine(_run.Output);
    }

    [Test]
    public void The_readme_usage_example_builds_from_the_packages_and_runs_to_a_result()
    {
        _run!.ShouldSucceed();
        Assert.That(ResultLine().IsMatch(_run.Output), Is.True, $"a result line ('SCORE ±HALF (CONFIDENCE) from SOURCE …') in:{Environment.NewLine}{_run.Output}");
    }

    [Test]
    public void The_app_depends_on_no_Microsoft_Extensions_package_above_the_10_0_line()
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(_app, "obj", "project.assets.json")));
        var extensions = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name)
            .Where(n => n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)).ToArray();
        Assert.That(extensions, Is.Not.Empty);
        Assert.That(extensions, Has.All.Match(@"/10\.0\.\d+$"), "every Microsoft.Extensions.* package the app restored");
        Assert.That(assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name), Has.Some.StartsWith("QualityPrediction.Onnx/"));
    }

    [Test]
    public void The_readme_usage_example_answers_from_the_model_in_the_apps_folder()
    {
        _run!.ShouldSucceed();
        var line = ResultLine().Match(_run.Output);
        Assert.That(line.Success, Is.True, _run.Output);
        Assert.That(line.Groups["source"].Value, Is.EqualTo("Model narration"), $"the model in MyApp/models answers, not a fallback:{Environment.NewLine}{_run.Output}");
    }

    private static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)), overwrite: true);
        }
    }

    [GeneratedRegex(@"^\d+(\.\d)? ±\d+(\.\d)? \(\d+ ?%\) from (?<source>\w+ \S*?)@\S*\s*$", RegexOptions.Multiline)]
    private static partial Regex ResultLine();
}
