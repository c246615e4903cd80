using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using QualityPrediction;
using QualityPrediction.Monitoring;
using QualityPrediction.Ranking;
using QualityPrediction.WebApi;

// 1. Build the web host. The content root is the output folder, so appsettings.json, models/ and data/ are found
//    whatever the current directory is. Kestrel binds to the "Urls" of appsettings.json (http://127.0.0.1:5080,
//    loopback only); `--urls http://127.0.0.1:0` picks a free port and logs it ("Now listening on: …").
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// 2. The composed predictor from the "QualityPrediction" section: the trained ONNX model in models/ (the console
//    sample's, linked; see samples/QualityPrediction.Sample/models/README.md) answers first, and a heuristic fitted at
//    start from data/outcomes.jsonl answers when the model cannot (not loaded yet, failed, timed out). Then the monitor
//    (rolling error, drift, health) from "QualityMonitor", and, when "Feedback:Folder" is set, the embedded feedback
//    store that keeps predictions and outcomes for the next training run.
var quality = builder.Services.AddQualityPrediction(builder.Configuration.GetSection(QualityPredictionOptions.SectionName))
    .AddOnnxRuntime()
    .AddQualityMonitor(options => builder.Configuration.GetSection("QualityMonitor").Bind(options, binder => binder.ErrorOnUnknownConfiguration = true));
if (builder.Configuration["Feedback:Folder"] is { Length: > 0 } feedbackFolder)
{
    quality.AddFeedbackStore(Path.GetFullPath(feedbackFolder, builder.Environment.ContentRootPath));
}

// 3. The ranker over the composed predictor; a request without a policy explores with ε-greedy (ε = 0.1). Its random
//    source is shared and thread-safe (Random.Shared).
builder.Services.AddSingleton(sp => new QualityRanker(sp.GetRequiredService<IQualityPredictor>(), new EpsilonGreedyPolicy(0.1)));

// 4. Health: the monitor's verdict as an ASP.NET Core health check. Metrics: OpenTelemetry's SDK collects the meters
//    named in "Metrics:Meters" (the library's QualityPrediction and ASP.NET Core's Microsoft.AspNetCore.Hosting) and
//    its Prometheus exporter serves them at GET /metrics. Problem details (RFC 9457, formerly 7807) for every error.
builder.Services.AddHealthChecks().AddCheck<QualityMonitorHealthCheck>("quality-prediction");
//    Traces: the library's ActivitySource (a span per prediction and per model load) under ASP.NET Core's request spans,
//    pushed with OTLP to the collector in OTEL_EXPORTER_OTLP_ENDPOINT when that is set (OpenTelemetry's standard variables).
var meters = builder.Configuration.GetSection("Metrics:Meters").Get<string[]>() ?? [QualityPredictionInstruments.MeterName];
var telemetry = builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("QualityPrediction.WebApi"))
    .WithMetrics(metrics => metrics.AddMeter(meters).AddPrometheusExporter())
    .WithTracing(tracing => tracing.AddSource(QualityPredictionInstruments.ActivitySourceName, "Microsoft.AspNetCore"));
if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
{
    telemetry.UseOtlpExporter();
}
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(options => Contracts.Configure(options.SerializerOptions));

var app = builder.Build();

// 5. The endpoints. Each reads its JSON body itself, so that malformed JSON, a wrong content type and a field of the
//    wrong type are a 400 (or 415) problem naming the field; see Endpoints.cs and Contracts.cs.
app.UseStatusCodePages();
app.MapPost("/quality/predict", Endpoints.PredictAsync);
app.MapPost("/quality/rank", Endpoints.RankAsync);
app.MapPost("/quality/outcomes", Endpoints.ReportOutcomeAsync);
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = Endpoints.WriteHealthAsync });
app.MapPrometheusScrapingEndpoint("/metrics");

await app.RunAsync();
