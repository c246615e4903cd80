using Microsoft.Extensions.Logging;

namespace QualityPrediction.Models.Internal;

/// <summary>Source-generated log messages of the model predictors (event ids 400–449). No feature values are logged.</summary>
internal static partial class ModelLog
{
    public const int ModelLoadedId = 400;
    public const int ModelLoadFailedId = 401;
    public const int ModelChangeDetectedId = 402;
    public const int WatchUnavailableId = 403;
    public const int LoadHandlerFailedId = 404;
    public const int ModelRetiredId = 405;
    public const int RuntimeDeclinedId = 406;
    public const int UnknownFeatureId = 407;
    public const int LoadRetryId = 408;

    [LoggerMessage(ModelLoadedId, LogLevel.Information, "Model '{ModelName}' version {Version} is live from {ManifestPath} ({Runtime}, loaded in {ElapsedSeconds:0.000} s).", EventName = "ModelLoaded")]
    public static partial void ModelLoaded(ILogger logger, string modelName, string version, string manifestPath, string runtime, double elapsedSeconds);

    [LoggerMessage(ModelLoadFailedId, LogLevel.Error, "Model '{ModelName}' could not be loaded from {Path}; {Outcome}.", EventName = "ModelLoadFailed")]
    public static partial void ModelLoadFailed(ILogger logger, Exception exception, string modelName, string path, string outcome);

    [LoggerMessage(ModelChangeDetectedId, LogLevel.Debug, "Model '{ModelName}': {File} changed; reloading after {Debounce}.", EventName = "ModelChangeDetected")]
    public static partial void ModelChangeDetected(ILogger logger, string modelName, string file, TimeSpan debounce);

    [LoggerMessage(WatchUnavailableId, LogLevel.Warning, "Model '{ModelName}': cannot watch {Directory} for changes; call ReloadAsync to reload.", EventName = "ModelWatchUnavailable")]
    public static partial void WatchUnavailable(ILogger logger, Exception? exception, string modelName, string directory);

    [LoggerMessage(LoadHandlerFailedId, LogLevel.Warning, "Model '{ModelName}': a load event handler threw.", EventName = "ModelLoadHandlerFailed")]
    public static partial void LoadHandlerFailed(ILogger logger, Exception exception, string modelName);

    [LoggerMessage(ModelRetiredId, LogLevel.Debug, "Model '{ModelName}' version {Version} retired; it is disposed once its in-flight predictions finish.", EventName = "ModelRetired")]
    public static partial void ModelRetired(ILogger logger, string modelName, string version);

    [LoggerMessage(UnknownFeatureId, LogLevel.Warning, "Model '{ModelName}' does not know the context feature '{Feature}'{DidYouMean}; it scores without it. Its features: {Features}. (Logged once per name; set ModelOptions.UnknownFeatures to Throw or Ignore.)", EventName = "UnknownFeature")]
    public static partial void UnknownFeature(ILogger logger, string modelName, string feature, string didYouMean, string features);

    [LoggerMessage(LoadRetryId, LogLevel.Information, "Model '{ModelName}': retrying the failed load in {Delay} (the files may still be arriving).", EventName = "ModelLoadRetry")]
    public static partial void LoadRetry(ILogger logger, string modelName, TimeSpan delay);

    [LoggerMessage(RuntimeDeclinedId, LogLevel.Information, "Model '{ModelName}': the {Runtime} runtime declined the model ({Reason}); trying the next runtime.", EventName = "ModelRuntimeDeclined")]
    public static partial void RuntimeDeclined(ILogger logger, string modelName, string runtime, string reason);
}
