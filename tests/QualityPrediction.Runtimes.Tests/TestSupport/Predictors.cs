using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Onnx;

namespace QualityPrediction.Runtimes.Tests.TestSupport;

internal static class Predictors
{
    public static readonly IModelRuntime[] Runtimes = [new OnnxModelRuntime(), new MLNetModelRuntime()];

    /// <summary>Creates a predictor (no file watching unless configured) and waits for its first load attempt.</summary>
    public static Task<CatalogModel> LoadAsync(string path, string? runtime, Action<ModelOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var options = new ModelOptions { Name = "member", Path = path, Runtime = runtime, WatchForChanges = false };
        configure?.Invoke(options);
        return CatalogModel.LoadAsync(options, Runtimes, timeProvider);
    }

    /// <summary>Rewrites a manifest file after changing it.</summary>
    public static void EditManifest(string manifestPath, Action<ModelManifest> edit)
    {
        var manifest = ModelManifest.Load(manifestPath);
        edit(manifest);
        manifest.Save(manifestPath);
    }
}
