using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using QualityPrediction;
using QualityPrediction.Monitoring;
using QualityPrediction.Ranking;
using QualityPrediction.WebApi;

// 1. Build the web host. The content root is the output folder, so appsettings.json and data/ are found whatever the
//    current directory is. Kestrel binds to the "Urls" of appsettings.json (http://127.0.0.1:5080, loopback only);
//    `--urls http://127.0.0.1:0` picks a free port and logs it ("Now listening on: …").
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// 2. The composed predictor from the "QualityPrediction" section (a heuristic fitted at start from data/outcomes.jsonl,
//    linked from the console sample), the monitor (rolling error, drift, health) from "QualityMonitor", and, when
//    "Feedback:Folder" is set, the embedded feedback store that keeps predictions and outcomes for the next training run.
var quality = builder.Services.AddQualityPrediction(builder.Configuration.GetSection(QualityPredictionOptions.SectionName))
    .AddQualityMonitor(options => builder.Configuration.GetSection("QualityMonitor").Bind(options, binder => binder.ErrorOnUnknownConfiguration = true));
if (builder.Configuration["Feedback:Folder"] is { Length: > 0 } feedbackFolder)
{
    quality.AddFeedbackStore(Path.GetFullPath(feedbackFolder, builder.Environment.ContentRootPath));
}

// 3. The ranker over the composed predictor; a request without a policy explores with ε-greedy (ε = 0.1). Its random
//    source is shared and thread-safe (Random.Shared).
builder.Services.AddSingleton(sp => new QualityRanker(sp.GetRequiredService<IQualityPredictor>(), new EpsilonGreedyPolicy(0.1)));

// 4. Health: the monitor's verdict as an ASP.NET Core health check. Metrics: a MeterListener over this app's meters,
//    served at GET /metrics in the Prometheus text exposition format (version 0.0.4).
builder.Services.AddHealthChecks().AddCheck<QualityMonitorHealthCheck>("quality-prediction");
builder.Services.AddSingleton(sp => new PrometheusMetrics(
    sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
    builder.Configuration.GetSection("Metrics:Meters").Get<string[]>() ?? [QualityMonitor.MeterName]));
builder.Services.ConfigureHttpJsonOptions(options => Contracts.Configure(options.SerializerOptions));

var app = builder.Build();

// 5. The endpoints. Bad input is a 400 problem naming the field; see Endpoints.cs.
app.MapPost("/quality/predict", Endpoints.PredictAsync);
app.MapPost("/quality/rank", Endpoints.Rank);
app.MapPost("/quality/outcomes", Endpoints.ReportOutcome);
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = Endpoints.WriteHealthAsync });
app.MapGet("/metrics", Endpoints.Metrics);

// 6. Start listening now, so the metrics listener is in place before the first request.
_ = app.Services.GetRequiredService<PrometheusMetrics>();
await app.RunAsync();
