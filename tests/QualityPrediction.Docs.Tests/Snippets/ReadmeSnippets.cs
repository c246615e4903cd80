using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QualityPrediction.Monitoring;

namespace QualityPrediction.Docs.Tests.Snippets;

/// <summary>README.md's fragments, compiled (the usage example is run whole by the packaging tests' consumer app).</summary>
internal static class ReadmeSnippets
{
    public static void Outcomes(HostApplicationBuilder builder, IConfiguration config, string connectionString, IHost host, QualityPredictionResult result, double observedQuality)
    {
        // begin-snippet: readme-outcomes
        builder.Services.AddQualityPrediction(config)
            .AddOnnxModel("narration", "models/narration.model.json")
            .AddQualityMonitor()                                   // rolling error, drift, IHealthCheck
            .AddPostgreSqlFeedbackStore(connectionString);         // or .AddFeedbackStore("feedback/") (JSON lines)
        // later, when the quality of the generated content is known:
        var outcomes = host.Services.GetRequiredService<IOutcomeReporter>();
        outcomes.ReportOutcome(result.PredictionId, observedQuality);
        // end-snippet
    }
}
