using System.Net;
using System.Text;
using System.Text.Json;

namespace QualityPrediction.WebApi.Tests;

/// <summary>Bad request bodies: each is a problem (RFC 9457, formerly 7807) that names the field and says what is wrong.</summary>
public sealed partial class WebApiTests
{
    [Test]
    public async Task Malformed_json_is_a_400_problem_naming_the_field_and_the_position()
    {
        var (status, type, body) = await PostRawAsync("/quality/outcomes", """{ "predictionId": "0b5c9d2e-1111-4a6b-9c3d-2e4f6a8b0c1d", "observed": good }""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.Multiple(() =>
        {
            Assert.That(type, Is.EqualTo("application/problem+json"));
            Assert.That(body.GetProperty("status").GetInt32(), Is.EqualTo(400));
            Assert.That(body.GetProperty("title").GetString(), Is.EqualTo("The body is not valid JSON."));
            var message = body.GetProperty("errors").GetProperty("observed")[0].GetString();
            Assert.That(message, Does.Contain("not valid JSON").And.Contain("line 1, byte 71").And.Contain("'g' is an invalid start of a value"));
        });
    }

    [Test]
    public async Task Malformed_json_deep_in_a_rank_request_names_the_path()
    {
        var (status, _, body) = await PostRawAsync("/quality/rank", """
            { "context": { "actionType": "combat" },
              "candidates": [ { "provider": "openai", "model": "gpt-4o" }, { "provider": "openai", "model": "gpt-4o-mini", "cost": } ] }
            """);
        var (contextStatus, _, context) = await PostRawAsync("/quality/predict", """{ "provider": "openai", "statValue": 1x }""");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body.GetProperty("errors").GetProperty("candidates[1].cost")[0].GetString(), Does.Contain("line 2"));
            Assert.That(contextStatus, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(context.GetProperty("errors").EnumerateObject().Single().Name, Is.EqualTo("$.statValue"));
        });
    }

    [Test]
    public async Task An_empty_body_and_a_body_that_is_not_json_are_problems_too()
    {
        var (empty, emptyType, emptyBody) = await PostRawAsync("/quality/predict", "");
        using var form = new StringContent("observed=60", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _app.Client.PostAsync(new Uri("/quality/outcomes", UriKind.Relative), form);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(empty, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(emptyType, Is.EqualTo("application/problem+json"));
            Assert.That(emptyBody.GetProperty("errors").GetProperty("$")[0].GetString(), Does.Contain("empty"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain("application/json").And.Contain("application/x-www-form-urlencoded"));
        });
    }

    [Test]
    public async Task A_field_of_the_wrong_type_says_what_it_should_be_not_that_it_is_required()
    {
        var (status, _, body) = await PostRawAsync("/quality/outcomes", """{ "predictionId": 42, "observed": "good" }""");
        var (rankStatus, _, rank) = await PostRawAsync("/quality/rank", """{ "candidates": { "provider": "openai" } }""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = body.GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(errors.GetProperty("observed")[0].GetString(), Does.StartWith("must be a finite number").And.Contain("not the string \"good\"").And.Not.Contain("required"));
            Assert.That(errors.GetProperty("predictionId")[0].GetString(), Does.StartWith("must be a GUID string").And.Contain("not 42"));
            Assert.That(rankStatus, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(rank.GetProperty("errors").GetProperty("candidates")[0].GetString(), Does.StartWith("must be an array").And.Contain("not an object"));
        });
    }

    [Test]
    public async Task A_misspelt_member_is_named_with_the_member_it_resembles()
    {
        var (status, _, body) = await PostRawAsync("/quality/outcomes", """{ "predictionID": "0b5c9d2e-1111-4a6b-9c3d-2e4f6a8b0c1d", "observed": 60 }""");
        var (policyStatus, _, policy) = await PostRawAsync("/quality/rank", """{ "candidates": [ { "name": "a" } ], "policy": { "name": "ucb", "scael": 2 } }""");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body.GetProperty("errors").GetProperty("predictionID")[0].GetString(), Does.Contain("did you mean 'predictionId'?"));
            Assert.That(body.GetProperty("errors").GetProperty("predictionId")[0].GetString(), Does.StartWith("is required"));
            Assert.That(policyStatus, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(policy.GetProperty("errors").GetProperty("policy.scael")[0].GetString(), Does.Contain("'name', 'scale'"));
        });
    }

    private async Task<(HttpStatusCode Status, string? ContentType, JsonElement Body)> PostRawAsync(string path, string text)
    {
        using var content = new StringContent(text, Encoding.UTF8, "application/json");
        using var response = await _app.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone());
    }
}
