using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace QualityPrediction.Docs.Tests.Snippets;

/// <summary>docs/trees.md's registration, compiled.</summary>
internal static class TreesSnippets
{
    public static void Use(IServiceCollection services, IConfiguration configuration)
    {
        // begin-snippet: trees-use
        // Only the tree runtime: a model whose graph it cannot run fails to load and its status names the operator.
        services.AddQualityPrediction().AddTreeModel("narration", "models/narration.model.json");

        // Or let each model pick: with no Runtime, the tree runtime is tried first, then ONNX Runtime, then ML.NET.
        // A linear (Sdca) model is declined by the tree runtime (log event 406, ModelRuntimeDeclined) and ONNX Runtime loads it.
        services.AddQualityPrediction(configuration.GetSection("QualityPrediction")).AddTreeRuntime().AddOnnxRuntime();
        // end-snippet
    }
}
