// The snippet of src/QualityPrediction.PostgreSql/README.md.
// begin-snippet: package-postgresql
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QualityPrediction;
using QualityPrediction.Monitoring;
// end-snippet

namespace QualityPrediction.Docs.Tests.Snippets;

/// <summary>src/QualityPrediction.PostgreSql/README.md: the usage example, compiled.</summary>
internal static class PackagePostgreSqlSnippet
{
    public static async Task RunAsync(string[] args)
    {
        // begin-snippet: package-postgresql
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services
            .AddQualityPrediction(builder.Configuration.GetSection("QualityPrediction"))
            .AddQualityMonitor()
            .AddPostgreSqlFeedbackStore(
                o => o.ConnectionString = builder.Configuration.GetConnectionString("quality")!,   // never a literal
                writer => writer.SpillFolder = "feedback-spill");
        using var host = builder.Build();
        await host.StartAsync();

        var result = host.Services.GetRequiredService<IQualityPredictor>().Predict(new PredictionContext().WithProvider("openai"));
        // later, when the quality of the generated content is known:
        host.Services.GetRequiredService<IOutcomeReporter>().ReportOutcome(result.PredictionId, 81.5);
        // end-snippet
    }
}
