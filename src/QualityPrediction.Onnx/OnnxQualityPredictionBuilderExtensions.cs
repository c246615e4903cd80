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
    /// <param name="manifestPath">The path of <c>NAME.model.json</c> or a registry reference; relative paths are relative to the application's base directory.</param>
    /// <param name="configure">Adjusts the model's options (hash verification, reload, engine threads, weight).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="manifestPath"/> is empty.</exception>
    public static IQualityPredictionBuilder AddOnnxModel(this IQualityPredictionBuilder builder, string name, string manifestPath, Action<ModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(manifestPath);
        builder.AddOnnxRuntime();
        builder.Services.Configure<QualityPredictionOptions>(builder.Name, options =>
        {
            var model = new ModelOptions { Name = name, Path = manifestPath, Runtime = OnnxModelRuntime.FormatName };
            configure?.Invoke(model);
            options.Models.Add(model);
        });
        return builder;
    }
}
