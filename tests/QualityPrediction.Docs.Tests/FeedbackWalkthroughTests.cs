using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using QualityPrediction.Docs.Tests.TestSupport;
using QualityPrediction.Packaging.Tests.TestSupport;

namespace QualityPrediction.Docs.Tests;

/// <summary>
/// samples/README.md's web sample session and docs/operations.md's feedback loop, run in that order in one scratch
/// folder: the web sample (keeping its feedback in <c>/var/lib/myapp/feedback</c>, as the operations page collects it)
/// answers the page's curl commands; then the operations page's commands run against a PostgreSQL database of this
/// test. Substitutions besides <see cref="Walkthrough"/>'s: the sample's port, the predictionId the rank answer gave,
/// the database (<c>Host=db…</c> and <c>host=db …</c>), and curl's <c>-s</c> also prints the HTTP status.
/// Predictions and outcomes in the PostgreSQL store, which only a running host with <c>AddPostgreSqlFeedbackStore</c>
/// makes, are written by <see cref="WriteStoreFixtureAsync"/>: 120 of the console sample's bundled outcomes.
/// </summary>
[TestFixture]
[Category("Walkthrough")]
public sealed partial class FeedbackWalkthroughTests
{
    private const string Samples = "samples/README.md";
    private const string Operations = "docs/operations.md";
    private readonly Dictionary<string, IReadOnlyList<ProcessResult>> _results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _notes = new(StringComparer.Ordinal);
    private Walkthrough _walk = null!;
    private DocsDatabase? _database;

    [OneTimeSetUp]
    public async Task RunThePages()
    {
        _walk = Walkthrough.Create("feedback");
        _database = await DocsDatabase.CreateAsync();
        _walk.Replace("Host=db;Port=5432;Username=app;Password=…;Database=app", _database.ConnectionString)
            .Replace("host=db port=5432 user=app dbname=app", _database.Psql)
            .Replace("curl -s ", "curl -s -w '\\nHTTP %{http_code}\\n' ");

        // samples/README.md: the web sample in the background, then the curl session.
        var port = FreePort();
        _walk.Replace("127.0.0.1:5080", $"127.0.0.1:{port}");
        var web = await StartWebSampleAsync(port, Path.Combine(_walk.Folder, "myapp", "feedback"));
        try
        {
            var curl = MarkdownDoc.Block(Samples, "samples-curl");
            var commands = MarkdownDoc.Commands(curl);
            var results = new List<ProcessResult>();
            foreach (var command in commands)
            {
                var result = await _walk.RunAsync(command);
                results.Add(result);
                var id = PredictionId().Match(result.Output);
                if (command.Contains("/quality/rank", StringComparison.Ordinal) && id.Success)
                {
                    _walk.Replace("<predictionId from above>", id.Groups["id"].Value); // the answer's own id comes first
                }
            }

            _results["samples-curl"] = results;
        }
        finally
        {
            await StopAsync(web);
        }

        // docs/operations.md, section by section.
        _results["operations-migrate"] = await _walk.RunAsync(MarkdownDoc.Block(Operations, "operations-migrate"));
        await WriteStoreFixtureAsync(_database.ConnectionString);
        var collect = MarkdownDoc.Commands(MarkdownDoc.Block(Operations, "operations-collect"));
        var collected = new List<ProcessResult> { await _walk.RunAsync(collect[0]) };
        // The embedded store is an alternative source of the same dataset: it runs on a dataset of its own, then the
        // PostgreSQL one is put back for the next sections.
        var aside = Path.Combine(_walk.Folder, ".aside");
        Directory.CreateDirectory(aside);
        foreach (var file in new[] { "feedback.jsonl", "feedback.jsonl.watermark.json" })
        {
            File.Move(Path.Combine(_walk.Folder, "data", file), Path.Combine(aside, file));
        }

        collected.Add(await _walk.RunAsync(collect[1]));
        _notes["embedded rows"] = File.Exists(Path.Combine(_walk.Folder, "data", "feedback.jsonl")) ? File.ReadAllLines(Path.Combine(_walk.Folder, "data", "feedback.jsonl")).Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0";
        foreach (var file in new[] { "feedback.jsonl", "feedback.jsonl.watermark.json" })
        {
            File.Move(Path.Combine(aside, file), Path.Combine(_walk.Folder, "data", file), overwrite: true);
        }

        foreach (var command in collect.Skip(2))
        {
            collected.Add(await _walk.RunAsync(command));
        }

        _results["operations-collect"] = collected;
        var iterate = MarkdownDoc.Commands(MarkdownDoc.Block(Operations, "operations-iterate"));
        var iterated = new List<ProcessResult>();
        foreach (var command in iterate)
        {
            iterated.Add(await _walk.RunAsync(command));
            if (command.Contains("--dry-run", StringComparison.Ordinal))
            {
                _notes["registry after dry run"] = Directory.Exists(Path.Combine(_walk.Folder, "registry", "quality")) ? "exists" : "absent";
            }
        }

        _results["operations-iterate"] = iterated;
        _results["operations-status"] = await _walk.RunAsync(MarkdownDoc.Block(Operations, "operations-status"));
    }

    [OneTimeTearDown]
    public async Task CleanUp()
    {
        _walk.Delete();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Test]
    public void The_web_sample_answers_the_curl_session_of_its_readme()
    {
        var results = _results["samples-curl"];
        Assert.That(results, Has.Count.EqualTo(5));
        Assert.Multiple(() =>
        {
            Assert.That(results[0].Output, Does.Contain("HTTP 200").And.Contain("\"score\""), "predict");
            Assert.That(results[1].Output, Does.Contain("HTTP 200").And.Contain("\"predictionId\"").And.Contain("\"selectionProbability\""), "rank");
            Assert.That(results[2].Output, Does.Contain("HTTP 202"), "the outcome of the rank answer's prediction");
            Assert.That(results[3].Output, Does.Contain("HTTP 200").And.Contain("\"status\""), "health");
            Assert.That(results[4].Output, Does.Contain("HTTP 200").And.Contain("quality_prediction"), "metrics");
        });
    }

    [Test]
    public void Migrate_creates_the_tables()
    {
        var results = _results["operations-migrate"];
        results.ToList().ForEach(r => r.ShouldSucceed());
        Assert.That(results.Last().Output, Does.Match(@"feedback tables at version \d+"), results.Last().Output);
    }

    [Test]
    public void Collect_reads_the_postgresql_store_the_embedded_store_and_a_legacy_table()
    {
        var results = _results["operations-collect"];
        Assert.That(results, Has.Count.EqualTo(4));
        results.ToList().ForEach(r => r.ShouldSucceed());
        Assert.Multiple(() =>
        {
            Assert.That(results[0].Output, Does.Contain("appended 120 rows"), "the PostgreSQL store: the fixture's 120 outcomes");
            Assert.That(int.Parse(_notes["embedded rows"], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(1), "the embedded store: the outcome reported over HTTP above");
            Assert.That(results[2].Output, Does.Contain("INSERT 0 200"));
            Assert.That(results[3].Output, Does.Contain("appended 200 rows"));
            Assert.That(Path.Combine(_walk.Folder, "data", "legacy.jsonl"), Does.Exist);
        });
    }

    [Test]
    public void Iterate_dry_run_changes_nothing_and_the_real_run_makes_a_champion()
    {
        var results = _results["operations-iterate"];
        Assert.That(results, Has.Count.EqualTo(3));
        results.ToList().ForEach(r => r.ShouldSucceed());
        Assert.Multiple(() =>
        {
            Assert.That(results[1].Output, Does.Contain("dry run"));
            Assert.That(_notes["registry after dry run"], Is.EqualTo("absent"), "a dry run leaves no registry");
            Assert.That(results[2].Output, Does.Contain("champion"));
            Assert.That(Path.Combine(_walk.Folder, "registry", "quality", "aliases.json"), Does.Exist);
        });
    }

    [Test]
    public void Status_reports_the_registry_the_store_and_the_embedded_store()
    {
        var results = _results["operations-status"];
        Assert.That(results, Has.Count.EqualTo(2));
        results.ToList().ForEach(r => r.ShouldSucceed());
        Assert.That(results[0].Output, Does.Contain("quality").And.Contain("reachable"));
        var json = results[1].Output[results[1].Output.IndexOf('{', StringComparison.Ordinal)..];
        using var document = JsonDocument.Parse(json);
        Assert.That(document.RootElement.TryGetProperty("store", out _), Is.True, json);
    }

    /// <summary>What a host with <c>AddPostgreSqlFeedbackStore</c> would have written: 120 predictions with their contexts and outcomes.</summary>
    private static async Task WriteStoreFixtureAsync(string connectionString)
    {
        var lines = (await File.ReadAllLinesAsync(Path.Combine(MarkdownDoc.Root, "samples", "QualityPrediction.Sample", "data", "outcomes.jsonl"))).Take(120);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var line in lines)
        {
            var row = JsonNode.Parse(line)!.AsObject();
            var quality = row["quality"]!.GetValue<double>();
            row.Remove("quality");
            var id = Guid.NewGuid();
            await using var prediction = new NpgsqlCommand(
                "INSERT INTO quality_predictions (prediction_id, predictor, context, score, confidence, source, created_at, selection_probability) VALUES (@id, '', @context::jsonb, 70, 0.5, 'Heuristic', now(), 1)", connection);
            prediction.Parameters.AddWithValue("id", id);
            prediction.Parameters.AddWithValue("context", row.ToJsonString());
            await prediction.ExecuteNonQueryAsync();
            await using var outcome = new NpgsqlCommand("INSERT INTO quality_outcomes (prediction_id, observed, observed_at) VALUES (@id, @observed, now())", connection);
            outcome.Parameters.AddWithValue("id", id);
            outcome.Parameters.AddWithValue("observed", quality);
            await outcome.ExecuteNonQueryAsync();
        }
    }

    private static async Task<Process> StartWebSampleAsync(int port, string feedbackFolder)
    {
        var folder = Path.Combine(MarkdownDoc.Root, "samples", "QualityPrediction.WebApi", "bin", Walkthrough.Configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(folder, "QualityPrediction.WebApi.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["Feedback__Folder"] = feedbackFolder;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 120; attempt++)
        {
            Assert.That(process.HasExited, Is.False, "the web sample exited while starting");
            try
            {
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
                return process;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(500);
        }

        process.Kill(entireProcessTree: true);
        Assert.Fail("the web sample did not answer /health within 60 s");
        return process;
    }

    /// <summary>A graceful stop (SIGTERM), so the embedded feedback store flushes, as when a host shuts down.</summary>
    private static async Task StopAsync(Process process)
    {
        (await ProcessRunner.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Path.GetTempPath(), TimeSpan.FromSeconds(10))).ShouldSucceed();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"""predictionId""\s*:\s*""(?<id>[0-9a-f-]{36})""")]
    private static partial Regex PredictionId();
}
