using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using QualityPrediction.Packaging.Tests.TestSupport;

namespace QualityPrediction.Packaging.Tests;

/// <summary>The <c>quality</c> tool: platform-specific packages of at most 100 MB without mobile natives, installed with
/// the README's command from the local feed, and the installed size the README states.</summary>
[TestFixture]
public sealed partial class ToolPackageTests
{
    private const long MaxPackageBytes = 100L * 1024 * 1024;

    [Test]
    public async Task Each_tool_package_is_at_most_100_MB_and_carries_no_mobile_natives()
    {
        var feed = await PackedFeed.GetAsync();
        var tools = feed.Packages.Select(Package.Open).Where(p => p.Id.StartsWith("QualityPrediction.Cli", StringComparison.Ordinal)).ToArray();
        Assert.That(tools, Has.Length.GreaterThan(1), "the tool package and its platform packages");
        Assert.Multiple(() =>
        {
            foreach (var package in tools)
            {
                TestContext.Out.WriteLine($"{package.FileName}: {package.Length / 1e6:F1} MB");
                Assert.That(package.Length, Is.LessThanOrEqualTo(MaxPackageBytes), $"{package.FileName}: {package.Length / 1e6:F1} MB");
                var mobile = package.Entries.Select(e => e.Name).Where(n => MobileNative().IsMatch(n)).ToArray();
                Assert.That(mobile, Is.Empty, $"{package.FileName}: mobile natives");
            }
        });
    }

    [Test]
    public async Task The_tool_package_points_to_one_package_per_platform_each_with_only_its_own_natives()
    {
        var feed = await PackedFeed.GetAsync();
        var pointer = Package.Open(feed.Packages.Single(p => Path.GetFileName(p) == $"QualityPrediction.Cli.{feed.Version}.nupkg"));
        var settings = XDocument.Parse(pointer.ReadText(pointer.Entries.Single(e => e.Name.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal)).Name));
        var platforms = settings.Descendants("RuntimeIdentifierPackage").ToDictionary(e => (string)e.Attribute("RuntimeIdentifier")!, e => (string)e.Attribute("Id")!);
        Assert.That(platforms.Keys, Is.SupersetOf(new[] { "linux-x64", "linux-arm64", "osx-arm64", "win-x64" }));
        Assert.Multiple(() =>
        {
            foreach (var (rid, id) in platforms)
            {
                var path = Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg");
                Assert.That(path, Does.Exist, $"{rid}: the platform package {id}");
                if (!File.Exists(path))
                {
                    continue;
                }

                var natives = Package.Open(path).Entries.Select(e => e.Name).Where(n => Native().IsMatch(n)).ToArray();
                Assert.That(natives, Is.Not.Empty, $"{id}: its native libraries");
                Assert.That(natives, Has.None.Contains("/runtimes/"), $"{id}: natives of other platforms");
                var expected = rid.StartsWith("win", StringComparison.Ordinal) ? ".dll" : rid.StartsWith("osx", StringComparison.Ordinal) ? ".dylib" : ".so";
                Assert.That(natives.Where(n => n.Contains("onnxruntime", StringComparison.Ordinal)), Has.All.EndsWith(expected), $"{id}: ONNX Runtime for its platform");
            }
        });
    }

    [Test]
    public async Task The_readme_tool_command_installs_the_tool_from_the_feed_and_the_readme_states_its_installed_size()
    {
        var feed = await PackedFeed.GetAsync();
        var commands = MarkdownBlocks.Commands(MarkdownBlocks.Read(PackedFeed.Readme, "(install-tool)"));
        Assert.That(commands, Has.Count.EqualTo(1).And.All.StartWith("dotnet tool install --global"), "README.md's install-tool block");
        var toolPath = Path.Combine(feed.Root, "tools");
        var command = feed.Substitute(commands[0]).Replace("--global", $"--tool-path {toolPath}", StringComparison.Ordinal);
        (await ProcessRunner.RunAsync("bash", ["-c", command], feed.Root, TimeSpan.FromMinutes(5))).ShouldSucceed();

        var help = await ProcessRunner.RunAsync(Path.Combine(toolPath, "quality"), ["--help"], feed.Root, TimeSpan.FromMinutes(2));
        help.ShouldSucceed();
        Assert.That(help.Output, Does.Contain("train").And.Contain("predict").And.Contain("registry"));

        var installed = Directory.EnumerateFiles(toolPath, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1e6;
        var stated = InstalledSize().Match(await File.ReadAllTextAsync(PackedFeed.Readme));
        Assert.That(stated.Success, Is.True, "README.md states the tool's installed size as 'about N MB once installed'");
        var statedMb = double.Parse(stated.Groups["mb"].Value, CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"installed: {installed:F0} MB (README: about {statedMb} MB)");
        Assert.That(installed, Is.InRange(statedMb * 0.8, statedMb * 1.2), "the installed size is within 20 % of what README.md states");
    }

    [GeneratedRegex(@"(^|/)(android|ios|iossimulator|maccatalyst|tvos|tvossimulator|browser-wasm)[-/]|\.aar$|\.xcframework|\.framework/", RegexOptions.IgnoreCase)]
    private static partial Regex MobileNative();

    [GeneratedRegex(@"\.(so|dylib|dll)$")]
    private static partial Regex Native();

    [GeneratedRegex(@"about (?<mb>\d+(\.\d+)?) MB once installed")]
    private static partial Regex InstalledSize();
}
