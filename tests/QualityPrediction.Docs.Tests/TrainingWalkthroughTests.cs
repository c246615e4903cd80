using System.Text.Json;
using System.Text.RegularExpressions;
using QualityPrediction.Docs.Tests.TestSupport;
using QualityPrediction.Packaging.Tests.TestSupport;

namespace QualityPrediction.Docs.Tests;

/// <summary>
/// docs/training.md, run block by block in its order (the registry section uses what the acceptance runs registered),
/// each figure the page quotes checked against what the commands print now, by range: wine MAE within 0.01, shares
/// within 2–3 points, the 0–100 targets' MAE within 0.15. In CI the two acceptance trainings run with one repeat instead
/// of three (<see cref="Walkthrough"/>); <c>QUALITY_DOCS_FULL=1</c> runs them as written.
/// </summary>
[TestFixture]
[Category("Walkthrough")]
public sealed partial class TrainingWalkthroughTests
{
    private const string Doc = "docs/training.md";
    private const string CliReadme = "src/QualityPrediction.Cli/README.md";
    private static readonly string[] Order = ["training-intro", "training-white", "training-red", "training-seed", "training-holdout", "training-sdca", "training-registry", "training-logged"];
    private readonly Dictionary<string, IReadOnlyList<ProcessResult>> _results = new(StringComparer.Ordinal);
    private Walkthrough _walk = null!;

    /// <summary>Runs the page's blocks in the page's order; the tests check what each printed.</summary>
    [OneTimeSetUp]
    public async Task RunThePage()
    {
        _walk = Walkthrough.Create("training");
        foreach (var id in Order)
        {
            _results[id] = await _walk.RunAsync(MarkdownDoc.Block(Doc, id), TimeSpan.FromMinutes(20));
        }

        // The package README of the tool: its install is the packaging tests' (ToolPackageTests, from a local feed);
        // here `quality` is already the built CLI, so the install line only checks that it answers.
        _walk.Replace("dotnet tool install --global QualityPrediction.Cli", "quality --version");
        _results["cli-readme"] = await _walk.RunAsync(MarkdownDoc.Block(CliReadme, "cli-readme"));
    }

    [Test]
    public void The_readme_training_block_is_this_pages_first_block()
    {
        Assert.That(MarkdownDoc.Block("README.md", "readme-training").Text, Is.EqualTo(MarkdownDoc.Block(Doc, "training-intro").Text), "README.md shows the commands this page runs first");
    }

    [Test]
    public void The_tool_readme_trains_and_predicts()
    {
        var results = _results["cli-readme"];
        Assert.That(results, Has.Count.EqualTo(3));
        results.ToList().ForEach(r => r.ShouldSucceed());
        Assert.That(Figures.Number(results[2].Output.Trim().Split('\n')[^1]), Is.InRange(3, 9), $"a red-wine score in its range:\n{results[2].Output}");
    }

    [OneTimeTearDown]
    public void DeleteScratchFolder() => _walk.Delete();

    [Test]
    public void Intro_trains_red_wine_from_the_repository_and_with_the_tool()
    {
        var results = _results["training-intro"];
        Assert.That(results, Has.Count.EqualTo(2));
        foreach (var result in results)
        {
            result.ShouldSucceed();
            Assert.That(result.Output, Does.Contain("| model (nested CV) | 1599 |"));
        }

        Assert.That(Path.Combine(_walk.Folder, "models", "red", "red.model.json"), Does.Exist);
    }

    [Test]
    public void White_wine_acceptance_run_matches_the_quoted_table() => AcceptanceRun("training-white", rows: 4898, "white");

    [Test]
    public void Red_wine_acceptance_run_matches_the_quoted_table() => AcceptanceRun("training-red", rows: 1599, "red");

    [Test]
    public void Seed_file_is_flagged_and_its_metrics_match_the_quoted_table()
    {
        var block = MarkdownDoc.Block(Doc, "training-seed");
        var output = _results["training-seed"].Single().ShouldSucceed().Output;
        var quoted = Section(block);
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Match(@"WARNING: \d+ rows \([\d.]+ %\) share one identical feature vector"));
            Assert.That(output, Does.Contain("metrics are also reported on the 200 rows outside the largest identical group"));
            foreach (var row in new[] { "model (nested CV)", "baseline (training-fold mean)", "model, rows outside the identical group" })
            {
                Assert.That(Figures.Cell(output, row, "MAE"), Is.EqualTo(Figures.Cell(quoted, row, "MAE")).Within(0.15), $"{row} MAE");
                Assert.That(Figures.Cell(output, row, "within 5"), Is.EqualTo(Figures.Cell(quoted, row, "within 5")).Within(3), $"{row} within 5");
            }
        });
    }

    [Test]
    public void Hold_out_check_matches_the_quoted_evaluation()
    {
        var block = MarkdownDoc.Block(Doc, "training-holdout");
        var results = _results["training-holdout"];
        Assert.That(results, Has.Count.EqualTo(3));
        results.ToList().ForEach(r => r.ShouldSucceed());
        Assert.That(File.ReadAllLines(Path.Combine(_walk.Folder, "white-train.csv")), Has.Length.EqualTo(3919), "header + 80 % of 4,898 rows");
        Assert.That(File.ReadAllLines(Path.Combine(_walk.Folder, "white-test.csv")), Has.Length.EqualTo(981));
        var quoted = Section(block);
        var evaluation = results[2].Output;
        Assert.Multiple(() =>
        {
            Assert.That(Figures.Cell(results[1].Output, "model (nested CV)", "MAE"), Is.EqualTo(Figures.After(quoted, "Nested CV on the 3,918 training rows: MAE")).Within(0.01));
            Assert.That(evaluation, Does.Contain("Model wsplit 0001 on 980 rows:"));
            Assert.That(ModelMae().Match(evaluation).Groups["mae"].Value, Is.Not.Empty, evaluation);
            Assert.That(Figures.Number(ModelMae().Match(evaluation).Groups["mae"].Value), Is.EqualTo(Figures.Number(ModelMae().Match(quoted).Groups["mae"].Value)).Within(0.01), "hold-out MAE");
            Assert.That(Figures.After(evaluation, "interval coverage"), Is.EqualTo(Figures.After(quoted, "interval coverage")).Within(3), "hold-out coverage");
            Assert.That(Path.Combine(_walk.Folder, "reports", "wsplit", "report.md"), Does.Exist);
        });
    }

    [Test]
    public void A_second_red_version_becomes_the_challenger_and_is_not_promoted()
    {
        var sdca = _results["training-sdca"].Single().ShouldSucceed();
        var session = MarkdownDoc.Block(Doc, "training-registry");
        var results = _results["training-registry"];
        Assert.That(results, Has.Count.EqualTo(2));
        var list = results[0].ShouldSucceed().Output;
        var promote = results[1].Output;
        Assert.Multiple(() =>
        {
            Assert.That(sdca.Output, Does.Contain("Model red 0002"));
            var printed = Registry(list);
            foreach (var (key, quoted) in Registry(session.Text))
            {
                Assert.That(printed, Does.ContainKey(key), $"{key} in:\n{list}");
                if (printed.TryGetValue(key, out var line))
                {
                    Assert.That(line.Alias, Is.EqualTo(quoted.Alias), key);
                    Assert.That(line.Mae, Is.EqualTo(quoted.Mae).Within(0.01), $"{key}: CV MAE");
                }
            }

            Assert.That(promote, Does.Contain("worse beyond noise").And.Contain("not promoted: champion stays 0001"));
            Assert.That(promote.TrimEnd().Split('\n')[^1].Trim(), Is.EqualTo("4"), "exit code 4: promotion refused");
        });
    }

    [Test]
    public void Propensity_weighting_changes_the_metrics_as_the_quoted_table_says()
    {
        var block = MarkdownDoc.Block(Doc, "training-logged");
        var results = _results["training-logged"];
        Assert.That(results, Has.Count.EqualTo(3));
        results.ToList().ForEach(r => r.ShouldSucceed());
        var quoted = Section(block);
        Assert.Multiple(() =>
        {
            foreach (var (result, row) in new[] { (results[1], "plain"), (results[2], "`--propensity selectionProbability`") })
            {
                using var json = JsonDocument.Parse(JsonObject(result.Output));
                Assert.That(json.RootElement.GetProperty("cv").GetProperty("mae").GetDouble(), Is.EqualTo(Figures.Cell(quoted, row, "CV MAE")).Within(0.15), $"{row}: CV MAE");
                Assert.That(json.RootElement.GetProperty("baseline").GetProperty("mae").GetDouble(), Is.EqualTo(Figures.Cell(quoted, row, "baseline MAE")).Within(0.15), $"{row}: baseline MAE");
            }
        });
    }

    private void AcceptanceRun(string id, int rows, string name)
    {
        var block = MarkdownDoc.Block(Doc, id);
        var output = _results[id].Single().ShouldSucceed().Output;
        var quoted = Section(block);
        var repeats = Walkthrough.Full ? 3 : 1;
        Assert.Multiple(() =>
        {
            Assert.That(Figures.Cell(output, "model (nested CV)", "rows"), Is.EqualTo(rows * repeats));
            Assert.That(Figures.Cell(output, "model (nested CV)", "MAE"), Is.EqualTo(Figures.Cell(quoted, "model (nested CV)", "MAE")).Within(0.01), "model MAE");
            Assert.That(Figures.Cell(output, "model (nested CV)", "within 0.5"), Is.EqualTo(Figures.Cell(quoted, "model (nested CV)", "within 0.5")).Within(2), "model within 0.5");
            Assert.That(Figures.Cell(output, "baseline (training-fold mean)", "MAE"), Is.EqualTo(Figures.Cell(quoted, "baseline (training-fold mean)", "MAE")).Within(0.005), "baseline MAE");
            Assert.That(Figures.After(output, "held-out coverage"), Is.EqualTo(Figures.After(quoted.Replace("**", "", StringComparison.Ordinal), "coverage ")).Within(2.5), "interval coverage");
            Assert.That(Path.Combine(_walk.Folder, "models", name, $"{name}.onnx"), Does.Exist);
            Assert.That(Path.Combine(_walk.Folder, "reports", name, "report.md"), Does.Exist);
        });
    }

    /// <summary>The doc's text after the block, to the next heading: the figures it quotes for that block.</summary>
    private static string Section(FencedBlock block)
    {
        var lines = File.ReadAllLines(Path.Combine(MarkdownDoc.Root, block.File));
        var end = block.Line;
        while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal))
        {
            end++;
        }

        return string.Join('\n', lines.Skip(end + 1).TakeWhile(l => !l.StartsWith('#')));
    }

    /// <summary>`quality registry list` output: "model version trainer" → alias and CV MAE (the lines after each model's name).</summary>
    private static Dictionary<string, (string Alias, double Mae)> Registry(string text)
    {
        var entries = new Dictionary<string, (string Alias, double Mae)>(StringComparer.Ordinal);
        var model = "";
        foreach (var line in text.Split('\n'))
        {
            if (ModelName().IsMatch(line))
            {
                model = line.Trim();
                continue;
            }

            var match = RegistryLine().Match(line);
            if (match.Success)
            {
                entries[$"{model} {match.Groups["version"].Value} {match.Groups["trainer"].Value}"] = (match.Groups["alias"].Value, Figures.Number(match.Groups["mae"].Value));
            }
        }

        return entries;
    }

    private static string JsonObject(string output)
    {
        var lines = output.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith('{'));
        var end = Array.FindLastIndex(lines, l => l.StartsWith('}'));
        Assert.That(start >= 0 && end >= start, Is.True, $"a JSON object in:\n{output}");
        return string.Join('\n', lines[start..(end + 1)]);
    }

    [GeneratedRegex(@"^\s+model\s+MAE (?<mae>[\d.]+)", RegexOptions.Multiline)]
    private static partial Regex ModelMae();

    [GeneratedRegex(@"^[a-z][\w-]*$")]
    private static partial Regex ModelName();

    [GeneratedRegex(@"^\s+(?<version>\d{4})\s+(?<trainer>\w+)\s+CV MAE (?<mae>[\d.]+).*?(?<alias>champion|challenger)\s*$")]
    private static partial Regex RegistryLine();
}
