using Microsoft.Extensions.Time.Testing;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Training.Tests.Registry;

/// <summary>Managing a registry: versions as people type them, unknown names, archive, restore, delete, unset alias, tags, history.</summary>
public sealed class ModelRegistryLifecycleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private TempFolder _folder = null!;
    private FakeTimeProvider _time = null!;

    private string Registry => _folder.Path;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder();
        _time = new FakeTimeProvider(Start);
    }

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private RegistryChange Change(string? reason = null) => RegistryChange.Now(_time, "alice@lab", reason);

    [TestCase("2", "0002")]
    [TestCase("02", "0002")]
    [TestCase("0002", "0002")]
    [TestCase(" 7 ", "0007")]
    [TestCase("12345", "12345")]
    [TestCase("v2", null)]
    [TestCase("0", null)]
    [TestCase("champion", null)]
    public void NormalizeVersion_ReadsANumberAsTheVersionFolder(string typed, string? expected) =>
        Assert.That(ModelRegistry.NormalizeVersion(typed), Is.EqualTo(expected));

    [Test]
    public void ResolveVersion_TakesANumberAnAliasOrARunId()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);
        RegistryFixture.AddVersion(Registry, "white", 1);
        ModelRegistry.SetAlias(Registry, "white", ModelRegistry.Champion, "0001");
        ModelRegistry.RecordRun(Registry, new RunRecord { Id = "20261201T090000Z-white-0002", Model = "white", Version = "0002", StartedAt = Start });

        Assert.Multiple(() =>
        {
            Assert.That(ModelRegistry.ResolveVersion(Registry, "white", "2").Version, Is.EqualTo("0002"));
            Assert.That(ModelRegistry.ResolveVersion(Registry, "white", "0002").Version, Is.EqualTo("0002"));
            Assert.That(ModelRegistry.ResolveVersion(Registry, "white", "champion").Version, Is.EqualTo("0001"));
            Assert.That(ModelRegistry.ResolveVersion(Registry, "white", "20261201T090000Z-white-0002").Version, Is.EqualTo("0002"));
        });
        var missing = Assert.Throws<DirectoryNotFoundException>(() => ModelRegistry.ResolveVersion(Registry, "white", "9"))!;
        Assert.That(missing.Message, Does.Contain("no version 0009").And.Contain("Its versions: 0001 (champion), 0002"));
        var alias = Assert.Throws<DirectoryNotFoundException>(() => ModelRegistry.ResolveVersion(Registry, "white", "champoin"))!;
        Assert.That(alias.Message, Does.Contain("did you mean 'champion'?").And.Contain("Its aliases: champion -> 0001"));
    }

    [Test]
    public void AnUnknownModelName_SaysWhichNamesExist_NearestFirst()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);
        RegistryFixture.AddVersion(Registry, "red", 1);

        var ex = Assert.Throws<DirectoryNotFoundException>(() => ModelRegistry.ResolveVersion(Registry, "whte", "1"))!;

        Assert.That(ex.Message, Does.Contain("has no model 'whte' (did you mean 'white'?)").And.Contain("Its models: red, white."));
        Assert.That(Directory.Exists(Path.Combine(Registry, "whte")), Is.False, "nothing is created for a name that does not exist");
        var far = Assert.Throws<DirectoryNotFoundException>(() => ModelRegistry.RequireModel(Registry, "narration"))!;
        Assert.That(far.Message, Does.Not.Contain("did you mean").And.Contain("Its models: red, white."));
    }

    [Test]
    public void AnAliasCannotBeANumber_SoTwoAlwaysMeansVersion0002()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);
        Assert.Throws<ArgumentException>(() => ModelRegistry.SetAlias(Registry, "white", "2", "0001"));
        Assert.Throws<ArgumentException>(() => ModelRegistry.SetAlias(Registry, "white", "a/b", "0001"));
    }

    [Test]
    public void Delete_RefusesTheChampion_UnlessForced()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);
        ModelRegistry.SetAlias(Registry, "white", ModelRegistry.Champion, "0001");

        var refused = Assert.Throws<RegistryRefusedException>(() => ModelRegistry.DeleteVersion(Registry, "white", "1", force: false, Change()))!;
        Assert.That(refused.Message, Does.Contain("is the champion").And.Contain("--force"));
        Assert.That(File.Exists(Path.Combine(Registry, "white", "versions", "0001", "white.zip")), Is.True, "nothing was deleted");
        Assert.That(ModelRegistry.ReadAliases(Registry, "white"), Does.ContainKey("champion"));

        var removed = ModelRegistry.DeleteVersion(Registry, "white", "1", force: true, Change("bad data"));

        Assert.That(removed, Is.EqualTo(new[] { "champion" }));
        Assert.That(ModelRegistry.ReadAliases(Registry, "white"), Is.Empty);
        var entry = ModelRegistry.ReadHistory(Registry, "white").Single();
        Assert.That((entry.Action, entry.Version, entry.Forced, entry.By, entry.At, entry.Reason), Is.EqualTo((RegistryActions.Delete, "0001", true, "alice@lab", Start, "bad data")));
        Assert.That(entry.RemovedAliases, Is.EqualTo(new[] { "champion" }));
    }

    [Test]
    public void Delete_RemovesTheFiles_KeepsTheNumberAndTheTombstone()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);
        RegistryFixture.AddVersion(Registry, "white", 1);
        ModelRegistry.SetAlias(Registry, "white", ModelRegistry.Champion, "0001");
        ModelRegistry.SetAlias(Registry, "white", ModelRegistry.Challenger, "0002");
        _time.Advance(TimeSpan.FromHours(1));

        var removed = ModelRegistry.DeleteVersion(Registry, "white", "0002", force: false, Change());

        var folder = Path.Combine(Registry, "white", "versions", "0002");
        Assert.Multiple(() =>
        {
            Assert.That(removed, Is.EqualTo(new[] { "challenger" }));
            Assert.That(Directory.GetFileSystemEntries(folder).Select(Path.GetFileName), Is.EqualTo(new[] { VersionMetadata.FileName }));
            Assert.That(ModelRegistry.ReadAliases(Registry, "white").Keys, Is.EqualTo(new[] { "champion" }));
            var version = ModelRegistry.ListVersions(Registry, "white").Single(v => v.Version == "0002");
            Assert.That(version.State, Is.EqualTo(VersionState.Deleted));
            Assert.That(version.Metadata.Deleted, Is.EqualTo(new RegistryChange(Start.AddHours(1), "alice@lab")));
            Assert.That(ModelRegistry.NextVersion(Registry, "white"), Is.EqualTo("0003"), "a deleted version's number is never reused");
            Assert.Throws<FileNotFoundException>(() => ModelRegistry.ResolveManifest(Path.Combine(Registry, "white@0002")));
        });
        var again = Assert.Throws<RegistryRefusedException>(() => ModelRegistry.DeleteVersion(Registry, "white", "2", force: true, Change()))!;
        Assert.That(again.Message, Does.Contain("was deleted on 2026-12-01 10:00 UTC by alice@lab"));
        Assert.That(RegistryFixture.AddVersion(Registry, "white", 1), Is.EqualTo("0003"));
    }

    [Test]
    public void Archive_RefusesTheChampion_HidesTheVersion_AndRestoreBringsItBack()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);
        RegistryFixture.AddVersion(Registry, "white", 1);
        ModelRegistry.SetAlias(Registry, "white", ModelRegistry.Champion, "0001");
        ModelRegistry.SetAlias(Registry, "white", ModelRegistry.Challenger, "0002");

        Assert.Throws<RegistryRefusedException>(() => ModelRegistry.ArchiveVersion(Registry, "white", "champion", force: false, Change()));
        var removed = ModelRegistry.ArchiveVersion(Registry, "white", "2", force: false, Change());

        Assert.That(removed, Is.EqualTo(new[] { "challenger" }));
        Assert.That(ModelRegistry.ListVersions(Registry, "white").Single(v => v.Version == "0002").State, Is.EqualTo(VersionState.Archived));
        Assert.That(File.Exists(ModelRegistry.ResolveManifest(Path.Combine(Registry, "white@0002"))), Is.True, "an archived version can still be loaded by number");
        var promote = Assert.Throws<RegistryRefusedException>(() => ModelPromotion.Promote(Registry, "white", "2"))!;
        Assert.That(promote.Message, Does.Contain("archived").And.Contain("quality registry restore white 0002"));

        Assert.That(ModelRegistry.RestoreVersion(Registry, "white", "2", Change()), Is.True);
        Assert.That(ModelRegistry.RestoreVersion(Registry, "white", "2", Change()), Is.False);
        Assert.That(ModelRegistry.ListVersions(Registry, "white").Single(v => v.Version == "0002").State, Is.EqualTo(VersionState.Active));
        Assert.That(ModelRegistry.ReadHistory(Registry, "white").Select(e => e.Action), Is.EqualTo(new[] { RegistryActions.Archive, RegistryActions.Restore }));
    }

    [Test]
    public void UnsetAlias_RefusesTheChampion_UnlessForced_AndNamesAnUnknownAlias()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);
        ModelRegistry.SetAlias(Registry, "white", ModelRegistry.Champion, "0001");
        ModelRegistry.SetAlias(Registry, "white", "staging", "0001");

        Assert.Throws<RegistryRefusedException>(() => ModelRegistry.UnsetAlias(Registry, "white", "champion", force: false, Change()));
        var unknown = Assert.Throws<DirectoryNotFoundException>(() => ModelRegistry.UnsetAlias(Registry, "white", "stagng", force: false, Change()))!;
        Assert.That(unknown.Message, Does.Contain("did you mean 'staging'?"));

        Assert.That(ModelRegistry.UnsetAlias(Registry, "white", "staging", force: false, Change()), Is.EqualTo("0001"));
        Assert.That(ModelRegistry.UnsetAlias(Registry, "white", "champion", force: true, Change()), Is.EqualTo("0001"));
        Assert.That(ModelRegistry.ReadAliases(Registry, "white"), Is.Empty);
        Assert.That(ModelRegistry.ReadHistory(Registry, "white").Select(e => (e.Action, e.Alias, e.Previous, e.Forced)), Is.EqualTo(new[]
        {
            (RegistryActions.UnsetAlias, "staging", "0001", false),
            (RegistryActions.UnsetAlias, "champion", "0001", true),
        }));
    }

    [Test]
    public void TagsAndDescription_AreKeptWithTheVersion_AndInTheHistory()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);

        ModelRegistry.SetTags(Registry, "white", "1", new Dictionary<string, string?> { ["dataset"] = "2026-11", ["owner"] = "alice" }, Change());
        _time.Advance(TimeSpan.FromMinutes(1));
        var tags = ModelRegistry.SetTags(Registry, "white", "1", new Dictionary<string, string?> { ["owner"] = null, ["reviewed"] = "yes" }, Change());
        _time.Advance(TimeSpan.FromMinutes(1));
        ModelRegistry.SetDescription(Registry, "white", "1", "first model on the November data", Change());

        Assert.That(tags, Is.EqualTo(new Dictionary<string, string> { ["dataset"] = "2026-11", ["reviewed"] = "yes" }));
        var version = ModelRegistry.ListVersions(Registry, "white").Single();
        Assert.That(version.Metadata.Tags, Is.EqualTo(tags));
        Assert.That(version.Metadata.Description, Is.EqualTo("first model on the November data"));
        var history = ModelRegistry.ReadHistory(Registry, "white");
        Assert.That(history.Select(e => (e.Action, e.At)), Is.EqualTo(new[] { (RegistryActions.Tag, Start), (RegistryActions.Tag, Start.AddMinutes(1)), (RegistryActions.Describe, Start.AddMinutes(2)) }));
        Assert.That(history[1].Tags, Is.EqualTo(new Dictionary<string, string?> { ["owner"] = null, ["reviewed"] = "yes" }));
        Assert.Throws<ArgumentException>(() => ModelRegistry.SetTags(Registry, "white", "1", new Dictionary<string, string?> { [" "] = "x" }, Change()));
    }

    [Test]
    public void TwoAliasesOnOneVersion_AreListedEachOnItsOwn()
    {
        RegistryFixture.AddVersion(Registry, "white", 1);
        ModelRegistry.SetAlias(Registry, "white", ModelRegistry.Champion, "0001");
        ModelRegistry.SetAlias(Registry, "white", ModelRegistry.Challenger, "0001");

        Assert.That(ModelRegistry.ListVersions(Registry, "white").Single().Aliases, Is.EqualTo(new[] { "challenger", "champion" }));
    }
}
