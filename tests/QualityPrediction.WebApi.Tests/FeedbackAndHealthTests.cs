using System.Net;

namespace QualityPrediction.WebApi.Tests;

/// <summary>The web sample with the embedded feedback store and a tight error threshold (a second child process).</summary>
[TestFixture]
[NonParallelizable]
public sealed class FeedbackAndHealthTests
{
    private string _folder = null!;
    private WebApiProcess _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "qp-webapi-" + Guid.NewGuid().ToString("N"));
        _app = await WebApiProcess.StartAsync(
            "--Feedback:Folder", _folder,
            "--QualityMonitor:MinOutcomes", "5",
            "--QualityMonitor:MaxMeanAbsoluteError", "10");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Test]
    public async Task Outcomes_reach_the_feedback_store_and_a_large_error_degrades_health()
    {
        var (healthyStatus, healthy) = await HttpJson.GetAsync(_app.Client, "/health");
        Assert.That(healthy.GetProperty("status").GetString(), Is.EqualTo("Healthy"), _app.Output);

        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var (_, ranking) = await HttpJson.PostAsync(_app.Client, "/quality/rank",
                """{ "context": { "actionType": "puzzle" }, "candidates": [ { "provider": "openai", "model": "gpt-4o" }, { "provider": "anthropic", "model": "claude-3-5-haiku" } ], "policy": "greedy" }""");
            var id = ranking.GetProperty("predictionId").GetGuid();
            ids.Add(id);
            // The narration was far worse than predicted (about 70–80): an error of 60+ points each time.
            var (status, _) = await HttpJson.PostAsync(_app.Client, "/quality/outcomes", $$"""{ "predictionId": "{{id}}", "observed": 10 }""");
            Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted));
        }

        var (degradedStatus, degraded) = await HttpJson.GetAsync(_app.Client, "/health");
        var check = degraded.GetProperty("checks").GetProperty("quality-prediction");
        Assert.Multiple(() =>
        {
            Assert.That(healthyStatus, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(degradedStatus, Is.EqualTo(HttpStatusCode.OK), "Degraded still answers 200 (ASP.NET Core's default mapping)");
            Assert.That(degraded.GetProperty("status").GetString(), Is.EqualTo("Degraded"));
            Assert.That(check.GetProperty("description").GetString(), Does.Contain("rolling MAE").And.Contain("above 10"));
        });

        // The background writer appends the outcomes to outcomes-NNNNNN.jsonl; give it a few seconds.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        string[] written = [];
        while (waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            written = Directory.Exists(_folder)
                ? Directory.GetFiles(_folder, "outcomes-*.jsonl").SelectMany(File.ReadAllLines).ToArray()
                : [];
            if (ids.All(id => written.Any(line => line.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase))))
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.That(ids, Is.All.Matches<Guid>(id => written.Any(line => line.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase))), _app.Output);
    }
}
