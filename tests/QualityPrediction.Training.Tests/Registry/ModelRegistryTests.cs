using QualityPrediction.Models;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Training.Tests.Registry;

public sealed class ModelRegistryTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private string AddFakeVersion(string name)
    {
        return ModelRegistry.AddVersion(_folder.Path, name, (dir, version) =>
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, name + ModelManifest.FileSuffix), version);
        });
    }

    [Test]
    public void AddVersion_NumbersVersionsAndAliasesResolve()
    {
        var first = AddFakeVersion("wine");
        var second = AddFakeVersion("wine");
        ModelRegistry.SetAlias(_folder.Path, "wine", ModelRegistry.Champion, first);
        ModelRegistry.SetAlias(_folder.Path, "wine", ModelRegistry.Challenger, second);

        Assert.That((first, second), Is.EqualTo(("0001", "0002")));
        Assert.That(File.ReadAllText(ModelRegistry.ResolveManifest(Path.Combine(_folder.Path, "wine@champion"))), Is.EqualTo("0001"));
        Assert.That(File.ReadAllText(ModelRegistry.ResolveManifest(Path.Combine(_folder.Path, "wine@0002"))), Is.EqualTo("0002"));
        Assert.That(ModelRegistry.ReadAliases(_folder.Path, "wine"), Is.EqualTo(new Dictionary<string, string> { ["challenger"] = "0002", ["champion"] = "0001" }));
        Assert.That(ModelRegistry.ListVersions(_folder.Path, "wine").Select(v => (v.Version, string.Join(",", v.Aliases))), Is.EqualTo(new[] { ("0001", "champion"), ("0002", "challenger") }));
        Assert.That(ModelRegistry.ListModels(_folder.Path), Is.EqualTo(new[] { "wine" }));
        Assert.That(Directory.GetDirectories(Path.Combine(_folder.Path, "wine", "versions")).Select(Path.GetFileName), Is.EquivalentTo(new[] { "0001", "0002" }), "no staging folder is left");
    }

    [Test]
    public void AddVersion_WhenWritingFails_LeavesNoVersion()
    {
        Assert.Throws<InvalidOperationException>(() => ModelRegistry.AddVersion(_folder.Path, "wine", (dir, _) =>
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "half"), "x");
            throw new InvalidOperationException("interrupted");
        }));

        Assert.That(ModelRegistry.ListVersions(_folder.Path, "wine"), Is.Empty);
        Assert.That(Directory.GetDirectories(Path.Combine(_folder.Path, "wine", "versions")), Is.Empty);
    }

    [Test]
    public void ResolveManifest_UnknownAlias_SaysWhichAliasesExist()
    {
        var version = AddFakeVersion("wine");
        ModelRegistry.SetAlias(_folder.Path, "wine", ModelRegistry.Champion, version);

        var ex = Assert.Throws<FileNotFoundException>(() => ModelRegistry.ResolveManifest(Path.Combine(_folder.Path, "wine@staging")));

        Assert.That(ex!.Message, Does.Contain("has no alias 'staging' (aliases: champion)"));
    }

    [Test]
    public void SetAlias_ToAMissingVersion_Throws()
    {
        AddFakeVersion("wine");

        Assert.Throws<DirectoryNotFoundException>(() => ModelRegistry.SetAlias(_folder.Path, "wine", ModelRegistry.Champion, "0009"));
        Assert.Throws<ArgumentException>(() => ModelRegistry.SetAlias(_folder.Path, "wine", "0001", "0001"));
    }

    [Test]
    public void Compare_PairsRowsByKey_AndDetectsARealImprovement()
    {
        var random = new Random(2);
        var keys = Enumerable.Range(0, 400).Select(i => $"k{i}").ToList();
        var actual = keys.Select(_ => random.NextDouble() * 10).ToList();
        var champion = new StoredPredictions { RowKeys = keys, Actual = actual, Predicted = [.. actual.Select(a => a + ((random.NextDouble() - 0.5) * 4))] };
        var better = new StoredPredictions { RowKeys = [.. keys.AsEnumerable().Reverse()], Actual = [.. actual.AsEnumerable().Reverse()], Predicted = [.. actual.AsEnumerable().Reverse().Select(a => a + ((random.NextDouble() - 0.5) * 2))] };
        var same = new StoredPredictions { RowKeys = keys, Actual = actual, Predicted = [.. champion.Predicted] };

        var improvement = ModelRegistry.Compare(better, champion)!;
        var tie = ModelRegistry.Compare(same, champion)!;

        Assert.That(improvement.Rows, Is.EqualTo(400));
        Assert.That(improvement.CandidateMae, Is.LessThan(improvement.BaselineMae));
        Assert.That(improvement.BetterBeyondNoise, Is.True);
        Assert.That(improvement.ProbabilityBetter, Is.EqualTo(1).Within(0.01));
        Assert.That(tie.Difference, Is.Zero);
        Assert.That(tie.BetterBeyondNoise, Is.False);
        Assert.That(tie.ToString(), Does.EndWith("no difference beyond noise"));
    }

    [Test]
    public void RecordRun_RoundTrips()
    {
        ModelRegistry.RecordRun(_folder.Path, new RunRecord { Id = "run-1", Model = "wine", Version = "0001", DurationSeconds = 1.5, ToolVersion = "0.1.0", Parameters = new Dictionary<string, string> { ["--seed"] = "3" } });

        var run = ModelRegistry.ListRuns(_folder.Path).Single();

        Assert.That((run.Id, run.Model, run.Version, run.DurationSeconds, run.Parameters["--seed"]), Is.EqualTo(("run-1", "wine", "0001", 1.5, "3")));
    }
}
