using System.Globalization;
using System.Net;
using System.Text.Json;

namespace QualityPrediction.WebApi.Tests;

/// <summary>Drives the built web sample over real HTTP (one child process for the fixture, no feedback store).</summary>
[TestFixture]
[NonParallelizable]
public sealed partial class WebApiTests
{
    private const string Candidates = """
        [ { "provider": "mistral", "model": "mistral-small", "cost": 0.2 },
          { "provider": "anthropic", "model": "claude-sonnet-4", "cost": 3 },
          { "provider": "openai", "model": "gpt-4o-mini", "cost": 0.3 } ]
        """;

    private WebApiProcess _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = await WebApiProcess.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Test]
    public void The_app_binds_to_loopback_by_default()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(WebApiProcess.AppFolder, "appsettings.json")));
        var urls = new Uri(settings.RootElement.GetProperty("Urls").GetString()!);
        Assert.Multiple(() =>
        {
            Assert.That(urls.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(_app.Address.Host, Is.EqualTo("127.0.0.1"));
        });
    }

    [Test]
    public async Task Predict_answers_with_the_trained_model_and_tells_models_apart()
    {
        var (strongStatus, strong) = await HttpJson.PostAsync(_app.Client, "/quality/predict",
            """{ "provider": "anthropic", "model": "claude-sonnet-4", "actionType": "combat", "rollType": "success", "statValue": 14 }""");
        var (weakStatus, weak) = await HttpJson.PostAsync(_app.Client, "/quality/predict",
            """{ "provider": "mistral", "model": "mistral-small", "actionType": "combat", "rollType": "success", "statValue": 14 }""");

        Assert.That(strongStatus, Is.EqualTo(HttpStatusCode.OK), _app.Output);
        Assert.That(weakStatus, Is.EqualTo(HttpStatusCode.OK));
        var score = strong.GetProperty("score").GetDouble();
        var interval = strong.GetProperty("interval");
        var members = strong.GetProperty("members").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            // The ONNX model shipped in models/ (the console sample's, linked) answers; the fitted heuristic stands by.
            Assert.That(strong.GetProperty("source").GetString(), Is.EqualTo("model"));
            Assert.That(strong.GetProperty("modelName").GetString(), Is.EqualTo("narration"));
            Assert.That(strong.GetProperty("modelVersion").GetString(), Is.EqualTo(ShippedModelVersion()));
            Assert.That(members.Select(m => m.GetProperty("name").GetString()), Is.EqualTo(new[] { "narration", "heuristic" }));
            Assert.That(members[0].GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(strong.GetProperty("predictionId").GetGuid(), Is.Not.EqualTo(Guid.Empty));
            Assert.That(score, Is.InRange(0, 100));
            Assert.That(score, Is.InRange(interval.GetProperty("lower").GetDouble(), interval.GetProperty("upper").GetDouble()));
            Assert.That(interval.GetProperty("coverage").GetDouble(), Is.EqualTo(0.9));
            Assert.That(strong.GetProperty("confidence").GetDouble(), Is.InRange(0, 1));
            // The bundled outcomes were generated with means 84 (claude-sonnet-4) and 62 (mistral-small).
            Assert.That(score, Is.GreaterThan(weak.GetProperty("score").GetDouble() + 10));
        });
    }

    /// <summary>The version in the manifest the sample ships (models/narration.model.json in its output folder).</summary>
    private static string ShippedModelVersion()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(WebApiProcess.AppFolder, "models", "narration.model.json")));
        return manifest.RootElement.GetProperty("version").GetString()!;
    }

    [Test]
    public async Task Predict_with_a_feature_of_no_kind_is_a_400_naming_the_feature()
    {
        var (status, body) = await HttpJson.PostAsync(_app.Client, "/quality/predict", """{ "provider": "openai", "statValue": true }""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        var messages = body.GetProperty("errors").GetProperty("$.statValue");
        Assert.That(messages[0].GetString(), Does.Contain("finite number").And.Contain("true"));
    }

    [Test]
    public async Task Greedy_rank_orders_by_score_and_chooses_the_best_with_probability_one()
    {
        var (status, body) = await HttpJson.PostAsync(_app.Client, "/quality/rank",
            $$"""{ "context": { "actionType": "dialogue", "rollType": "success" }, "candidates": {{Candidates}}, "policy": "greedy" }""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), _app.Output);
        var ranked = body.GetProperty("candidates").EnumerateArray().ToList();
        var scores = ranked.Select(c => c.GetProperty("score").GetDouble()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("policy").GetString(), Is.EqualTo("greedy"));
            Assert.That(ranked.Select(c => c.GetProperty("rank").GetInt32()), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(scores, Is.Ordered.Descending);
            Assert.That(ranked[0].GetProperty("name").GetString(), Is.EqualTo("anthropic/claude-sonnet-4"));
            Assert.That(ranked[0].GetProperty("cost").GetDouble(), Is.EqualTo(3));
            Assert.That(body.GetProperty("chosen").GetString(), Is.EqualTo("anthropic/claude-sonnet-4"));
            Assert.That(body.GetProperty("chosenRank").GetInt32(), Is.EqualTo(1));
            Assert.That(body.GetProperty("selectionProbability").GetDouble(), Is.EqualTo(1));
            Assert.That(body.GetProperty("predictionId").GetGuid(), Is.EqualTo(ranked[0].GetProperty("predictionId").GetGuid()));
            Assert.That(ranked.Select(c => c.GetProperty("selectionProbability").GetDouble()), Is.EqualTo(new[] { 1.0, 0, 0 }));
        });
    }

    [Test]
    public async Task Epsilon_greedy_rank_records_the_chosen_candidates_selection_probability()
    {
        const double Epsilon = 0.3;
        var chosenNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 40; i++)
        {
            var (status, body) = await HttpJson.PostAsync(_app.Client, "/quality/rank",
                $$"""{ "context": { "actionType": "combat" }, "candidates": {{Candidates}}, "policy": { "name": "epsilon-greedy", "epsilon": {{Epsilon.ToString(CultureInfo.InvariantCulture)}} } }""");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), _app.Output);

            var ranked = body.GetProperty("candidates").EnumerateArray().ToList();
            var probabilities = ranked.Select(c => c.GetProperty("selectionProbability").GetDouble()).ToList();
            var chosen = body.GetProperty("chosen").GetString()!;
            chosenNames.Add(chosen);
            var chosenEntry = ranked.Single(c => c.GetProperty("name").GetString() == chosen);
            Assert.Multiple(() =>
            {
                Assert.That(probabilities.Sum(), Is.EqualTo(1).Within(1e-9));
                Assert.That(probabilities[0], Is.EqualTo(1 - Epsilon + Epsilon / 3).Within(1e-9));
                Assert.That(probabilities[1], Is.EqualTo(Epsilon / 3).Within(1e-9));
                Assert.That(body.GetProperty("selectionProbability").GetDouble(), Is.EqualTo(chosenEntry.GetProperty("selectionProbability").GetDouble()));
                Assert.That(body.GetProperty("predictionId").GetGuid(), Is.EqualTo(chosenEntry.GetProperty("predictionId").GetGuid()));
            });
        }

        // 40 draws at ε = 0.3: the chance that no draw explores is 0.8^40 ≈ 1e-4.
        Assert.That(chosenNames, Has.Count.GreaterThan(1));
    }

    [Test]
    public async Task Rank_with_bad_input_is_a_400_naming_every_field()
    {
        var (status, body) = await HttpJson.PostAsync(_app.Client, "/quality/rank",
            """{ "context": { "statValue": [1] }, "candidates": [ { "provider": "openai" }, { "name": "x", "cost": -1 } ], "policy": { "name": "always-best" } }""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = body.GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "context.statValue", "candidates[0]", "candidates[1].cost", "policy.name" }));
        Assert.That(errors.GetProperty("policy.name")[0].GetString(), Does.Contain("always-best"));
    }

    [Test]
    public async Task Rank_rejects_an_out_of_range_policy_parameter()
    {
        var (status, body) = await HttpJson.PostAsync(_app.Client, "/quality/rank",
            $$"""{ "candidates": {{Candidates}}, "policy": { "name": "epsilon-greedy", "epsilon": 1.5 } }""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("errors").GetProperty("policy")[0].GetString(), Does.Contain("1.5"));
    }

    [Test]
    public async Task An_outcome_is_matched_once_and_an_unknown_id_is_a_404()
    {
        var (_, prediction) = await HttpJson.PostAsync(_app.Client, "/quality/predict", """{ "provider": "openai", "model": "gpt-4o" }""");
        var id = prediction.GetProperty("predictionId").GetGuid();

        var (first, body) = await HttpJson.PostAsync(_app.Client, "/quality/outcomes", $$"""{ "predictionId": "{{id}}", "observed": 71.5 }""");
        var (second, _) = await HttpJson.PostAsync(_app.Client, "/quality/outcomes", $$"""{ "predictionId": "{{id}}", "observed": 71.5 }""");
        var (unknown, problem) = await HttpJson.PostAsync(_app.Client, "/quality/outcomes", $$"""{ "predictionId": "{{Guid.NewGuid()}}", "observed": 50 }""");
        var (bad, errors) = await HttpJson.PostAsync(_app.Client, "/quality/outcomes", """{ "predictionId": "nope", "observed": "high" }""");

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(body.GetProperty("matched").GetBoolean(), Is.True);
            Assert.That(second, Is.EqualTo(HttpStatusCode.NotFound), "an outcome is counted once per prediction");
            Assert.That(unknown, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Unknown prediction id."));
            Assert.That(bad, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(errors.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "predictionId", "observed" }));
        });
    }

    [Test]
    public async Task Health_reports_the_monitors_verdict()
    {
        await HttpJson.PostAsync(_app.Client, "/quality/predict", """{ "provider": "google", "model": "gemini-2.0-flash" }""");

        var (status, body) = await HttpJson.GetAsync(_app.Client, "/health");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var check = body.GetProperty("checks").GetProperty("quality-prediction");
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("Healthy"));
            Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("Healthy"));
            Assert.That(check.GetProperty("data").GetProperty("recentPredictions").GetInt32(), Is.GreaterThanOrEqualTo(1));
            Assert.That(check.GetProperty("data").GetProperty("recentDefault").GetInt32(), Is.Zero);
        });
    }

    [Test]
    public async Task Metrics_are_exported_by_opentelemetry_with_one_set_of_label_names()
    {
        var before = await ScrapeAsync();
        var (_, prediction) = await HttpJson.PostAsync(_app.Client, "/quality/predict", """{ "provider": "openai", "model": "gpt-4o-mini" }""");
        await HttpJson.PostAsync(_app.Client, "/quality/outcomes", $$"""{ "predictionId": "{{prediction.GetProperty("predictionId").GetGuid()}}", "observed": 60 }""");
        var version = ShippedModelVersion();
        var predictions = new Dictionary<string, string> { ["quality_prediction_predictor"] = "default", ["quality_prediction_source"] = "model" };
        var outcomes = new Dictionary<string, string> { ["quality_prediction_model_version"] = version, ["quality_prediction_source"] = "model" };

        // The exporter serves a cached scrape for up to 300 ms (its default): scrape until the outcome shows, for at most 10 s.
        var after = await ScrapeAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (PrometheusText.Sum(after.Text, "quality_prediction_outcomes_total", outcomes) == PrometheusText.Sum(before.Text, "quality_prediction_outcomes_total", outcomes) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            after = await ScrapeAsync();
        }

        var ours = PrometheusText.Parse(after.Text).Where(s => s.Name.StartsWith("quality_prediction_", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(PrometheusText.Sum(after.Text, "quality_prediction_predictions_total", predictions) - PrometheusText.Sum(before.Text, "quality_prediction_predictions_total", predictions), Is.EqualTo(1));
            Assert.That(PrometheusText.Sum(after.Text, "quality_prediction_outcomes_total", outcomes) - PrometheusText.Sum(before.Text, "quality_prediction_outcomes_total", outcomes), Is.EqualTo(1));
            Assert.That(after.Text, Does.Contain("# TYPE quality_prediction_rolling_mae gauge"));
            Assert.That(after.Text, Does.Contain("# TYPE quality_prediction_duration_seconds histogram"));
            Assert.That(PrometheusText.Sum(after.Text, "quality_prediction_duration_seconds_count", new() { ["quality_prediction_predictor"] = "default" }), Is.GreaterThanOrEqualTo(1));
            Assert.That(PrometheusText.Sum(after.Text, "http_server_request_duration_seconds_count", new() { ["http_route"] = "/quality/predict" }), Is.GreaterThanOrEqualTo(1));
            Assert.That(after.ContentType, Does.StartWith("text/plain").And.Contain("version=0.0.4"));

            // One set of label names: the library's dotted tags (quality_prediction.source, quality_prediction.model.version,
            // …) become these labels on every instrument, with the values in lower case as in the JSON answers.
            var labels = ours.SelectMany(s => s.Labels.Keys).Where(k => k != "le" && !k.StartsWith("otel_", StringComparison.Ordinal)).Distinct().Order().ToList();
            Assert.That(labels, Is.SubsetOf(new[] { "quality_prediction_predictor", "quality_prediction_source", "quality_prediction_member", "quality_prediction_model_name", "quality_prediction_model_version", "error_type" }));
            Assert.That(ours.Where(s => s.Labels.ContainsKey("quality_prediction_source")).Select(s => s.Labels["quality_prediction_source"]).Distinct(), Is.SubsetOf(new[] { "model", "heuristic", "ensemble", "default" }));
        });
    }

    private async Task<(string Text, string ContentType)> ScrapeAsync()
    {
        using var response = await _app.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType!.ToString());
    }
}
