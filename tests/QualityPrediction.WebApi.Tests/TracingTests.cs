using System.Net;

namespace QualityPrediction.WebApi.Tests;

/// <summary>The web sample's traces pushed over OTLP/HTTP to a receiver in this test: the library's spans under ASP.NET Core's request span.</summary>
[TestFixture]
[NonParallelizable]
public sealed class TracingTests
{
    [Test]
    public async Task A_prediction_and_the_model_load_are_spans_exported_over_otlp()
    {
        using var receiver = new OtlpTraceReceiver();
        await using var app = await WebApiProcess.StartAsync(
            $"--OTEL_EXPORTER_OTLP_ENDPOINT={receiver.Endpoint}",
            "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "--OTEL_BSP_SCHEDULE_DELAY=100");

        var (status, _) = await HttpJson.PostAsync(app.Client, "/quality/predict", """{ "provider": "anthropic", "model": "claude-sonnet-4", "actionType": "combat" }""");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), app.Output);

        // The batch processor exports every 100 ms here; the request's span ends (and is exported) after the prediction's.
        // Wait for both for at most 30 s.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        bool Arrived() => receiver.Spans.FirstOrDefault(s => s.Name == "quality_prediction.predict") is { } p
            && receiver.Spans.Any(s => s.Scope == "Microsoft.AspNetCore" && s.TraceId == p.TraceId);
        while (!Arrived() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var spans = receiver.Spans;
        var predict = spans.FirstOrDefault(s => s.Name == "quality_prediction.predict");
        Assert.That(predict, Is.Not.Null, $"spans received: {string.Join(", ", spans.Select(s => $"{s.Scope}/{s.Name}"))}{Environment.NewLine}{app.Output}");
        var load = spans.FirstOrDefault(s => s.Name == "quality_prediction.model.load");
        var request = spans.FirstOrDefault(s => s.Scope == "Microsoft.AspNetCore" && s.TraceId == predict!.TraceId);
        Assert.Multiple(() =>
        {
            Assert.That(predict!.Scope, Is.EqualTo("QualityPrediction"));
            Assert.That(predict.Attributes["quality_prediction.predictor"], Is.EqualTo("default"));
            Assert.That(predict.Attributes["quality_prediction.source"], Is.EqualTo("model"));
            Assert.That(predict.Attributes["quality_prediction.model.name"], Is.EqualTo("narration"));
            Assert.That(predict.Attributes, Does.ContainKey("quality_prediction.model.version"));
            Assert.That(request, Is.Not.Null, "the prediction's span is inside the request's trace");
            Assert.That(predict.ParentSpanId, Is.Not.Empty);
            Assert.That(load, Is.Not.Null, "the model's first load is a span too");
            Assert.That(load!.Attributes["quality_prediction.model.name"], Is.EqualTo("narration"));
            Assert.That(load.Attributes["quality_prediction.model.reload"], Is.EqualTo(false));
        });
    }
}
