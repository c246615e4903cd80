// A web project has these implicitly (the Web SDK's implicit usings); the snippet starts after them.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
// begin-snippet: operations-host
using Microsoft.Extensions.DependencyInjection;
using QualityPrediction;
using QualityPrediction.Monitoring;
// end-snippet

namespace QualityPrediction.Docs.Tests.Snippets;

/// <summary>docs/operations.md's host, compiled.</summary>
internal static class OperationsSnippets
{
    public static WebApplication Host(string[] args)
    {
        // begin-snippet: operations-host
        var builder = WebApplication.CreateBuilder(args);

        builder.Services
            .AddQualityPrediction(builder.Configuration.GetSection("QualityPrediction"))
            .AddOnnxModel("quality", "models/quality.model.json")
            // Predictions and outcomes go to PostgreSQL through a bounded background queue.
            // The connection string comes from configuration or the environment, never from code.
            .AddPostgreSqlFeedbackStore(
                o => o.ConnectionString = builder.Configuration.GetConnectionString("quality")!,
                writer => writer.SpillFolder = "/var/lib/myapp/feedback-spill")
            // Rolling error, drift and health.
            .AddQualityMonitor(o =>
            {
                o.MaxMeanAbsoluteError = 8;   // Degraded when the rolling MAE passes 8 points
                o.MinAccuracy = 0.5;          // ...or fewer than half are within the tolerance
                o.MaxDriftPsi = 0.25;         // ...or a feature drifts (PSI) past 0.25
            });

        builder.Services.AddHealthChecks().AddCheck<QualityMonitorHealthCheck>("quality-prediction");

        var app = builder.Build();
        app.MapHealthChecks("/health");
        // end-snippet
        return app;
    }

    public static void Rate(WebApplication app)
    {
        // begin-snippet: operations-rate
        app.MapPost("/rate/{id:guid}", (Guid id, double quality, IOutcomeReporter outcomes) =>
            outcomes.ReportOutcome(id, quality) ? Results.Accepted() : Results.NotFound());
        // end-snippet
    }
}
