using Microsoft.Extensions.DependencyInjection.Extensions;
using QualityPrediction;
using QualityPrediction.DependencyInjection;
using QualityPrediction.Models;
using QualityPrediction.Onnx;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds ONNX models to a quality predictor composed with <c>AddQualityPrediction</c>.</summary>
public static class OnnxQualityPredictionBuilderExtensions
{
    /// <summary>Registers the ONNX runtime only, for models listed in configuration (<c>"Models": [{ "Name", "Path", "Runtime" }]</c>). Calling it twice is harmless.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddOnnxRuntime(this IQualityPredictionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRuntime, OnnxModelRuntime>());
        return builder;
    }

    /// <summary>Adds an ONNX model member, loaded from its manifest (or a registry reference <c>DIR/NAME@alias</c>) with the ONNX runtime.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The member's name.</param>
    /// <param name="manifestPath">The path of <c>NAME.model.json</c> or a registry reference; relative paths are resolved against the host's content root (the current directory without a host).</param>
    /// <param name="configure">Adjusts the model's options (hash verification, reload, engine threads, weight).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="manifestPath"/> is empty.</exception>
    public static IQualityPredictionBuilder AddOnnxModel(this IQualityPredictionBuilder builder, string name, string manifestPath, Action<ModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddModel(name, manifestPath, OnnxModelRuntime.FormatName, configure).AddOnnxRuntime();
    }
}
