using System.Reflection.Metadata;
using System.Text.Json;
using System.Text.RegularExpressions;
using QualityPrediction.Packaging.Tests.TestSupport;

namespace QualityPrediction.Packaging.Tests;

/// <summary>What every package carries: repository URL and commit, symbols with SourceLink, its own README, tags, and no
/// Microsoft.Extensions.* dependency above the 10.0 line.</summary>
[TestFixture]
public sealed partial class PackageTests
{
    private static readonly string[] Libraries = ["QualityPrediction", "QualityPrediction.MLNet", "QualityPrediction.Onnx", "QualityPrediction.PostgreSql", "QualityPrediction.Training", "QualityPrediction.Trees"];
    private static readonly string[] ToolPlatforms = ["linux-arm64", "linux-x64", "osx-arm64", "win-x64"];
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    [Test]
    public async Task The_pack_command_makes_every_library_the_tool_and_one_tool_package_per_platform()
    {
        var feed = await PackedFeed.GetAsync();
        var expected = Libraries.Append("QualityPrediction.Cli").Concat(ToolPlatforms.Select(p => "QualityPrediction.Cli." + p))
            .Select(id => $"{id}.{feed.Version}.nupkg").Order(StringComparer.Ordinal);
        Assert.That(feed.Packages.Select(Path.GetFileName), Is.EqualTo(expected), "the feed after `dotnet pack QualityPrediction.sln`");
        TestContext.Out.WriteLine($"pack took {feed.Pack.Duration.TotalSeconds:F0} s");
    }

    [Test]
    public async Task Every_package_names_the_repository_and_the_commit_it_was_packed_from()
    {
        var feed = await PackedFeed.GetAsync();
        Assert.Multiple(() =>
        {
            foreach (var package in feed.Packages.Select(Package.Open))
            {
                var repository = package.Element("repository");
                Assert.That(repository, Is.Not.Null, $"{package.FileName}: no <repository> in the nuspec");
                Assert.That((string?)repository?.Attribute("type"), Is.EqualTo("git"), package.FileName);
                Assert.That(((string?)repository?.Attribute("url"))?.TrimEnd('/'), Is.EqualTo(feed.Remote.TrimEnd('/')), $"{package.FileName}: repository url");
                Assert.That((string?)repository?.Attribute("commit"), Is.EqualTo(feed.Commit), $"{package.FileName}: repository commit");
            }
        });
    }

    [Test]
    public async Task Every_package_with_code_has_a_symbol_package_whose_pdbs_map_the_sources_to_the_commit()
    {
        var feed = await PackedFeed.GetAsync();
        var (owner, name) = GitHubOwnerAndName(feed.Remote);
        var expectedMap = $"https://raw.githubusercontent.com/{owner}/{name}/{feed.Commit}/*";
        Assert.Multiple(() =>
        {
            foreach (var package in feed.Packages.Select(Package.Open).Where(p => p.Id != "QualityPrediction.Cli"))
            {
                var symbols = package.SymbolPackage;
                Assert.That(symbols, Is.Not.Null, $"{package.FileName}: no .snupkg beside it");
                if (symbols is null)
                {
                    continue;
                }

                var pdbs = Package.EntryNames(symbols).Where(e => e.EndsWith(".pdb", StringComparison.Ordinal)).ToArray();
                Assert.That(pdbs, Is.Not.Empty, $"{Path.GetFileName(symbols)}: no PDB");
                foreach (var pdb in pdbs)
                {
                    var (sourceLink, documents) = ReadPdb(Package.ReadBytes(symbols, pdb));
                    Assert.That(sourceLink, Is.Not.Null, $"{Path.GetFileName(symbols)}/{pdb}: no SourceLink");
                    var map = sourceLink is null ? [] : JsonDocument.Parse(sourceLink).RootElement.GetProperty("documents").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
                    Assert.That(map, Does.ContainKey("/_/*").WithValue(expectedMap), $"{Path.GetFileName(symbols)}/{pdb}: SourceLink map");
                    // Deterministic CI build: source paths are /_/…, not the folder the clone happened to be in.
                    Assert.That(documents, Is.Not.Empty.And.All.StartWith("/_/"), $"{Path.GetFileName(symbols)}/{pdb}: document paths");
                }
            }
        });
    }

    [Test]
    public async Task Every_package_has_its_own_readme_whose_links_are_absolute_and_lead_to_the_docs_at_the_commit()
    {
        var feed = await PackedFeed.GetAsync();
        var repositoryReadme = await File.ReadAllTextAsync(PackedFeed.Readme);
        var docs = $"{feed.Remote.TrimEnd('/')}/blob/{feed.Commit}/README.md";
        Assert.Multiple(() =>
        {
            foreach (var package in feed.Packages.Select(Package.Open))
            {
                Assert.That(package.Value("readme"), Is.EqualTo("README.md"), $"{package.FileName}: nuspec readme");
                var readme = package.ReadText("README.md");
                var title = package.Id.StartsWith("QualityPrediction.Cli", StringComparison.Ordinal) ? "QualityPrediction.Cli" : package.Id;
                Assert.That(readme, Does.StartWith($"# {title}\n"), $"{package.FileName}: its own README starts with its name");
                Assert.That(readme, Is.Not.EqualTo(repositoryReadme), $"{package.FileName}: the repository's README");
                Assert.That(readme.Length, Is.LessThan(repositoryReadme.Length / 2), $"{package.FileName}: a short README");
                var links = Links().Matches(readme).Select(m => m.Groups["target"].Value).ToArray();
                Assert.That(links, Has.All.Match("^https://"), $"{package.FileName}: every link absolute (a package page cannot follow a relative one)");
                Assert.That(links, Does.Contain(docs), $"{package.FileName}: a link to the full docs at the commit");
            }
        });
    }

    [Test]
    public async Task No_package_depends_on_a_Microsoft_Extensions_package_above_the_10_0_line()
    {
        var feed = await PackedFeed.GetAsync();
        var dependencies = feed.Packages.Select(Package.Open)
            .SelectMany(p => p.Dependencies().Where(d => d.Id.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)).Select(d => (Package: p.Id, d.Id, d.Version)))
            .ToArray();
        Assert.That(dependencies.Select(d => d.Id).Distinct(), Has.Member("Microsoft.Extensions.Options"), "the core package's dependencies were read");
        Assert.Multiple(() =>
        {
            foreach (var (package, id, version) in dependencies)
            {
                var lowest = NuGetVersionRangeLowest(version);
                Assert.That(lowest.Major, Is.EqualTo(10), $"{package} -> {id} {version}: the lowest version must be on the 10.0 line");
                Assert.That(lowest.Minor, Is.EqualTo(0), $"{package} -> {id} {version}: the lowest version must be on the 10.0 line");
            }
        });
    }

    [Test]
    public async Task Every_package_has_a_description_a_licence_and_its_own_tags()
    {
        var feed = await PackedFeed.GetAsync();
        Assert.Multiple(() =>
        {
            foreach (var package in feed.Packages.Select(Package.Open))
            {
                Assert.That(package.Value("description"), Has.Length.GreaterThan(40), package.FileName);
                Assert.That(package.Value("license"), Is.EqualTo("MIT"), package.FileName);
                var tags = package.Value("tags").Split([' ', ';'], StringSplitOptions.RemoveEmptyEntries);
                Assert.That(tags, Does.Contain("quality-prediction"), $"{package.FileName}: the common tags");
                Assert.That(tags, Has.Length.GreaterThan(3), $"{package.FileName}: its own tags besides the common ones");
            }
        });
    }

    internal static (string Owner, string Name) GitHubOwnerAndName(string remote)
    {
        var match = Regex.Match(remote, @"^https://github\.com/(?<owner>[^/]+)/(?<name>[^/]+?)(\.git)?/?$");
        Assert.That(match.Success, Is.True, $"the remote {remote} is not a GitHub https URL");
        return (match.Groups["owner"].Value, match.Groups["name"].Value);
    }

    private static Version NuGetVersionRangeLowest(string range)
    {
        var lowest = range.Trim('[', '(', ' ').Split(',')[0].Trim();
        var core = lowest.Split('-')[0];
        return System.Version.Parse(core);
    }

    private static (string? SourceLink, IReadOnlyList<string> Documents) ReadPdb(byte[] pdb)
    {
        using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdb));
        var reader = provider.GetMetadataReader();
        string? sourceLink = null;
        foreach (var handle in reader.CustomDebugInformation)
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) == SourceLinkKind)
            {
                sourceLink = System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value));
            }
        }

        var documents = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name))
            .Where(n => !n.EndsWith(".g.cs", StringComparison.Ordinal) || n.StartsWith("/_/", StringComparison.Ordinal)).ToArray();
        return (sourceLink, documents);
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)|(?:href|src)=""(?<target>[^""]+)""")]
    private static partial Regex Links();
}
