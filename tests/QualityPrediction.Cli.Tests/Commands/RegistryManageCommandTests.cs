using System.Text.Json;

namespace QualityPrediction.Cli.Tests.Commands;

/// <summary>
/// <c>quality registry</c> management on a registry trained by the CLI itself: promote by short number, unknown names,
/// delete/archive/restore, unset-alias, tag/describe, compare, history, and two aliases on one version.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RegistryManageCommandTests
{
    private string _folder = null!;
    private string _registry = null!;

    /// <summary>Three versions of <c>demo</c>: 0001 (without feature a: weak, champion), 0002 (all features: strong), 0003 (without a and b: weaker, challenger).</summary>
    [OneTimeSetUp]
    public async Task TrainThreeVersions()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-cli-registry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var data = CliRunner.WriteCsv(_folder, "train.csv", 150);
        var template = Path.Combine(_folder, "template");
        foreach (var extra in new[] { new[] { "--ignore", "a" }, [], ["--ignore", "a,b"] })
        {
            string[] args = ["train", "--data", data, "--target", "quality", "--out", Path.Combine(_folder, "out"), "--name", "demo", "--trainer", "sdca", "--folds", "3", "--inner-folds", "2", "--registry", template, .. extra];
            var (code, _, stderr) = await CliRunner.RunAsync(args);
            Assert.That(code, Is.EqualTo(0), stderr);
        }
    }

    [OneTimeTearDown]
    public void Delete() => Directory.Delete(_folder, recursive: true);

    /// <summary>Each test works on its own copy of the trained registry.</summary>
    [SetUp]
    public void CopyRegistry()
    {
        _registry = Path.Combine(_folder, "registry-" + Guid.NewGuid().ToString("N")[..8]);
        Copy(Path.Combine(_folder, "template"), _registry);
    }

    private Task<(int ExitCode, string Out, string Err)> Run(params string[] args) => CliRunner.RunAsync([.. args, "--registry", _registry]);

    [Test]
    public async Task Promote_TakesTheShortNumber_AndRecordsWhoWhenTheDecisionAndTheEvidence()
    {
        var (code, stdout, stderr) = await Run("promote", "demo", "2", "--reason", "all features");

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("champion -> 0002"));
        var (refused, _, refusal) = await Run("promote", "demo", "3");
        Assert.That(refused, Is.EqualTo(4));
        Assert.That(refusal, Does.Contain("not better than champion 0002 beyond noise"));

        var (historyCode, history, _) = await Run("registry", "history", "demo", "--promotions", "--json");
        Assert.That(historyCode, Is.EqualTo(0));
        using var json = JsonDocument.Parse(history);
        var entries = json.RootElement.GetProperty("history").EnumerateArray().ToList();
        // train made 0001 champion and 0002, 0003 challenger; then the two promote commands.
        Assert.That(entries.Select(e => (e.GetProperty("action").GetString(), e.GetProperty("alias").GetString(), e.GetProperty("version").GetString())), Is.EqualTo(new[]
        {
            ("promote", "champion", "0001"),
            ("promote", "challenger", "0002"),
            ("promote", "challenger", "0003"),
            ("promote", "champion", "0002"),
            ("promotion-refused", "champion", "0003"),
        }));
        var promotion = entries[3];
        Assert.Multiple(() =>
        {
            Assert.That(promotion.GetProperty("by").GetString(), Is.EqualTo($"{Environment.UserName}@{Environment.MachineName}"));
            Assert.That(promotion.GetProperty("at").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(10)));
            Assert.That(promotion.GetProperty("previous").GetString(), Is.EqualTo("0001"));
            Assert.That(promotion.GetProperty("reason").GetString(), Is.EqualTo("all features"));
            Assert.That(promotion.GetProperty("decision").GetString(), Does.StartWith("version 0002 beats champion 0001 beyond noise"));
            Assert.That(promotion.GetProperty("evidence").GetProperty("upper").GetDouble(), Is.LessThan(0));
            Assert.That(promotion.GetProperty("evidence").GetProperty("rows").GetInt32(), Is.EqualTo(150));
            Assert.That(entries[4].GetProperty("evidence").GetProperty("lower").GetDouble(), Is.GreaterThan(0), "0003 is worse beyond noise");
        });

        var (_, text, _) = await Run("registry", "history", "demo");
        Assert.That(text, Does.Contain("promote  champion -> 0002 (was 0001)  version 0002 beats champion 0001").And.Contain("reason: all features"));
    }

    [Test]
    public async Task AnUnknownModel_SaysWhichNamesExist()
    {
        var (code, _, stderr) = await Run("promote", "dmeo", "2");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("has no model 'dmeo' (did you mean 'demo'?)").And.Contain("Its models: demo."));
        foreach (var args in new[] { new[] { "registry", "history", "dmeo" }, ["registry", "delete", "dmeo", "1"], ["registry", "compare", "dmeo", "1", "2"], ["registry", "list", "--name", "dmeo"] })
        {
            var (other, _, message) = await Run(args);
            Assert.That(other, Is.EqualTo(2), string.Join(' ', args));
            Assert.That(message, Does.Contain("did you mean 'demo'?"), string.Join(' ', args));
        }

        var (version, _, versionMessage) = await Run("promote", "demo", "7");
        Assert.That(version, Is.EqualTo(2));
        Assert.That(versionMessage, Does.Contain("no version 0007").And.Contain("Its versions: 0001 (champion), 0002, 0003 (challenger)."));
    }

    [Test]
    public async Task Delete_NeverTheChampionWithoutForce_AndTheNumberIsNotReused()
    {
        var (refused, _, why) = await Run("registry", "delete", "demo", "1");
        Assert.That(refused, Is.EqualTo(4));
        Assert.That(why, Does.Contain("refused").And.Contain("is the champion").And.Contain("--force"));
        Assert.That(File.Exists(Path.Combine(_registry, "demo", "versions", "0001", "demo.onnx")), Is.True);

        var (code, stdout, stderr) = await Run("registry", "delete", "demo", "3", "--reason", "weaker");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("demo 0003: deleted; removed @challenger"));
        Assert.That(File.Exists(Path.Combine(_registry, "demo", "versions", "0003", "demo.onnx")), Is.False);

        var (_, list, _) = await Run("registry", "list");
        Assert.That(list, Does.Not.Contain("  0003 ").And.Contain("(0 archived and 1 deleted versions not listed; --all lists them)"));
        var (_, all, _) = await Run("registry", "list", "--all");
        Assert.That(all, Does.Contain("  0003 ").And.Contain("[deleted]"));

        var (forced, _, forcedErr) = await Run("registry", "delete", "demo", "champion", "--force");
        Assert.That(forced, Is.EqualTo(0), forcedErr);
        var (_, aliases, _) = await Run("registry", "list", "--json");
        using var json = JsonDocument.Parse(aliases);
        Assert.That(json.RootElement.GetProperty("models")[0].GetProperty("aliases").EnumerateObject().Select(p => p.Name), Is.Empty);
    }

    [Test]
    public async Task Archive_HidesAndBlocksPromotion_RestoreUndoes()
    {
        var (refused, _, _) = await Run("registry", "archive", "demo", "champion");
        Assert.That(refused, Is.EqualTo(4));

        var (code, stdout, stderr) = await Run("registry", "archive", "demo", "2");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("demo 0002: archived"));
        var (_, list, _) = await Run("registry", "list");
        Assert.That(list, Does.Not.Contain("  0002 ").And.Contain("(1 archived and 0 deleted versions not listed; --all lists them)"));
        var (promote, _, why) = await Run("promote", "demo", "2");
        Assert.That(promote, Is.EqualTo(4));
        Assert.That(why, Does.Contain("archived").And.Contain("quality registry restore demo 0002"));

        var (restored, restoreOut, _) = await Run("registry", "restore", "demo", "2");
        Assert.That(restored, Is.EqualTo(0));
        Assert.That(restoreOut, Does.Contain("demo 0002: restored"));
        var (promoted, _, promoteErr) = await Run("promote", "demo", "2");
        Assert.That(promoted, Is.EqualTo(0), promoteErr);
    }

    [Test]
    public async Task UnsetAlias_NeverTheChampionWithoutForce()
    {
        var (refused, _, why) = await Run("registry", "unset-alias", "demo", "champion");
        Assert.That(refused, Is.EqualTo(4));
        Assert.That(why, Does.Contain("--force"));

        var (code, stdout, stderr) = await Run("registry", "unset-alias", "demo", "challenger");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("alias challenger removed (was 0003)"));
        var (unknown, _, message) = await Run("registry", "unset-alias", "demo", "challengr");
        Assert.That(unknown, Is.EqualTo(2));
        Assert.That(message, Does.Contain("has no alias 'challengr'"));
    }

    [Test]
    public async Task TwoAliasesOnOneVersion_AreShownEachOnItsOwn()
    {
        await Run("promote", "demo", "2");
        await Run("promote", "demo", "2", "--alias", "challenger");

        var (_, text, _) = await Run("registry", "list");
        var (_, json, _) = await Run("registry", "list", "--json");

        var line = text.Split('\n').Single(l => l.StartsWith("  0002 ", StringComparison.Ordinal));
        Assert.That(line, Does.Contain("@challenger @champion"));
        using var document = JsonDocument.Parse(json);
        var version = document.RootElement.GetProperty("models")[0].GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("version").GetString() == "0002");
        Assert.That(version.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { "challenger", "champion" }));
    }

    [Test]
    public async Task TagAndDescribe_AreListedAndCompared()
    {
        var (tagged, tagOut, tagErr) = await Run("registry", "tag", "demo", "2", "dataset=2026-11", "owner=alice");
        Assert.That(tagged, Is.EqualTo(0), tagErr);
        Assert.That(tagOut, Does.Contain("demo 0002: tags dataset=2026-11 owner=alice"));
        var (removed, removeOut, _) = await Run("registry", "tag", "demo", "2", "--remove", "owner");
        Assert.That(removed, Is.EqualTo(0));
        Assert.That(removeOut, Does.Contain("tags dataset=2026-11").And.Not.Contain("owner"));
        var (bad, _, badErr) = await Run("registry", "tag", "demo", "2", "novalue");
        Assert.That(bad, Is.EqualTo(2));
        Assert.That(badErr, Does.Contain("'novalue' is not KEY=VALUE"));
        var (described, _, _) = await Run("registry", "describe", "demo", "2", "all three features");
        Assert.That(described, Is.EqualTo(0));

        var (_, list, _) = await Run("registry", "list");
        Assert.That(list, Does.Contain("tags dataset=2026-11  \"all three features\""));
    }

    [Test]
    public async Task Compare_ShowsTwoVersionsSideBySide_AndThePairedComparison()
    {
        var (code, stdout, stderr) = await Run("registry", "compare", "demo", "1", "champion", "--json");
        Assert.That(code, Is.EqualTo(0), stderr);
        using (var json = JsonDocument.Parse(stdout))
        {
            var root = json.RootElement;
            Assert.That((root.GetProperty("a").GetString(), root.GetProperty("b").GetString()), Is.EqualTo(("0001", "0001")));
            Assert.That(root.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("differs").GetBoolean()), Is.Empty, "a version against itself");
        }

        (code, stdout, stderr) = await Run("registry", "compare", "demo", "1", "2", "--json");
        Assert.That(code, Is.EqualTo(0), stderr);
        using var document = JsonDocument.Parse(stdout);
        var rows = document.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("field").GetString()!, r => (A: r.GetProperty("a").GetString(), B: r.GetProperty("b").GetString(), Differs: r.GetProperty("differs").GetBoolean()));
        var paired = document.RootElement.GetProperty("paired");
        Assert.Multiple(() =>
        {
            Assert.That(rows["aliases"], Is.EqualTo(("@champion", "-", true)));
            Assert.That(rows["option --ignore"], Is.EqualTo(("a", "-", true)));
            Assert.That(rows["data rows"], Is.EqualTo(("150", "150", false)));
            Assert.That(rows["trainer"].Differs, Is.False);
            Assert.That(double.Parse(rows["cv MAE"].B!, System.Globalization.CultureInfo.InvariantCulture), Is.LessThan(double.Parse(rows["cv MAE"].A!, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(paired.GetProperty("rows").GetInt32(), Is.EqualTo(150));
            Assert.That(paired.GetProperty("bBetterBeyondNoise").GetBoolean(), Is.True);
        });

        var (_, text, _) = await Run("registry", "compare", "demo", "1", "2");
        Assert.That(text, Does.Contain("demo: 0001 vs 0002 (* = differs)").And.Contain("* cv MAE").And.Contain("paired: 0002 vs 0001: candidate MAE"));
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
