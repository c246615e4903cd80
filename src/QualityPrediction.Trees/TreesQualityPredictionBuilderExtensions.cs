using Microsoft.Extensions.DependencyInjection.Extensions;
using QualityPrediction;
using QualityPrediction.DependencyInjection;
using QualityPrediction.Models;
using QualityPrediction.Trees;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds tree-ensemble models, scored in managed code, to a quality predictor composed with <c>AddQualityPrediction</c>.</summary>
public static class TreesQualityPredictionBuilderExtensions
{
    /// <summary>
    /// Registers the managed tree runtime (<c>trees</c>) for models listed in configuration (<c>"Runtime": "trees"</c>,
    /// or no runtime: a model whose ONNX graph it supports is then scored by it, others by the next registered runtime).
    /// Calling it twice is harmless.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddTreeRuntime(this IQualityPredictionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRuntime, TreeModelRuntime>());
        return builder;
    }

    /// <summary>Adds a model member scored by the managed tree runtime, loaded from its manifest (or a registry reference <c>DIR/NAME@alias</c>) and its <c>.onnx</c> artifact.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The member's name.</param>
    /// <param name="manifestPath">The path of <c>NAME.model.json</c> or a registry reference; relative paths are resolved against the host's content root (the current directory without a host).</param>
    /// <param name="configure">Adjusts the model's options (hash verification, reload, batch threads, weight).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="manifestPath"/> is empty.</exception>
    public static IQualityPredictionBuilder AddTreeModel(this IQualityPredictionBuilder builder, string name, string manifestPath, Action<ModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddModel(name, manifestPath, TreeModelRuntime.RuntimeName, configure).AddTreeRuntime();
    }
}
