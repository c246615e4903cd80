// The snippet of src/QualityPrediction.MLNet/README.md.
// begin-snippet: package-mlnet
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QualityPrediction;
// end-snippet

namespace QualityPrediction.Docs.Tests.Snippets;

/// <summary>src/QualityPrediction.MLNet/README.md: the usage example, compiled.</summary>
internal static class PackageMLNetSnippet
{
    public static async Task RunAsync(string[] args)
    {
        // begin-snippet: package-mlnet
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services
            .AddQualityPrediction(builder.Configuration.GetSection("QualityPrediction"))
            .AddMLNetModel("narration", "models/narration.model.json");   // NAME.model.json beside NAME.zip
        using var host = builder.Build();
        await host.StartAsync();

        var result = host.Services.GetRequiredService<IQualityPredictor>()
            .Predict(new PredictionContext().WithProvider("openai").WithModel("gpt-4o-mini"));
        Console.WriteLine($"{result.Score:F1} from {result.Source} {result.ModelName}@{result.ModelVersion}");
        // end-snippet
    }
}
