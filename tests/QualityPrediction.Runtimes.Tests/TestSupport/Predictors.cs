using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Onnx;

namespace QualityPrediction.Runtimes.Tests.TestSupport;

internal static class Predictors
{
    public static readonly IModelRuntime[] Runtimes = [new OnnxModelRuntime(), new MLNetModelRuntime()];

    /// <summary>Creates a predictor (no file watching unless configured) and waits for its first load attempt.</summary>
    public static async Task<ModelPredictor> LoadAsync(string path, string? runtime, Action<ModelOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var options = new ModelOptions { Name = "member", Path = path, Runtime = runtime, WatchForChanges = false };
        configure?.Invoke(options);
        var predictor = new ModelPredictor(options, Runtimes, timeProvider);
        await predictor.WaitForInitialLoadAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return predictor;
    }

    /// <summary>Rewrites a manifest file after changing it.</summary>
    public static void EditManifest(string manifestPath, Action<ModelManifest> edit)
    {
        var manifest = ModelManifest.Load(manifestPath);
        edit(manifest);
        manifest.Save(manifestPath);
    }
}
