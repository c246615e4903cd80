// The snippet of src/QualityPrediction.Trees/README.md.
// begin-snippet: package-trees
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QualityPrediction;
// end-snippet

namespace QualityPrediction.Docs.Tests.Snippets;

/// <summary>src/QualityPrediction.Trees/README.md: the usage example, compiled.</summary>
internal static class PackageTreesSnippet
{
    public static async Task RunAsync(string[] args)
    {
        // begin-snippet: package-trees
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services
            .AddQualityPrediction(builder.Configuration.GetSection("QualityPrediction"))
            .AddTreeModel("narration", "models/narration.model.json");   // NAME.model.json beside NAME.onnx
        using var host = builder.Build();
        await host.StartAsync();

        var result = host.Services.GetRequiredService<IQualityPredictor>()
            .Predict(new PredictionContext().WithProvider("openai").WithModel("gpt-4o-mini"));
        Console.WriteLine($"{result.Score:F1} from {result.Source} {result.ModelName}@{result.ModelVersion}");
        // end-snippet
    }
}
