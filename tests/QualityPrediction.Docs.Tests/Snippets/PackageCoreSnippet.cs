// The snippet of src/QualityPrediction/README.md.
// begin-snippet: package-core
using Microsoft.Extensions.DependencyInjection;
using QualityPrediction;
// end-snippet

namespace QualityPrediction.Docs.Tests.Snippets;

/// <summary>src/QualityPrediction/README.md: the usage example, compiled.</summary>
internal static class PackageCoreSnippet
{
    public static void Run()
    {
        // begin-snippet: package-core
        var services = new ServiceCollection()
            .AddLogging();
        services.AddQualityPrediction(options => options.Heuristic.Rules.BaseScore = 65);   // the rules heuristic alone
        using var provider = services.BuildServiceProvider();

        var predictor = provider.GetRequiredService<IQualityPredictor>();
        var result = predictor.Predict(new PredictionContext().WithProvider("openai").WithActionType("combat"));
        Console.WriteLine($"{result.Score:F1} from {result.Source}");
        // end-snippet
    }
}
