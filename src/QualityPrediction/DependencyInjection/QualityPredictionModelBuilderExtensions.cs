using QualityPrediction;
using QualityPrediction.DependencyInjection;
using QualityPrediction.Models;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds model members to a quality predictor composed with <c>AddQualityPrediction</c>.</summary>
public static class QualityPredictionModelBuilderExtensions
{
    /// <summary>
    /// Adds a model member, loaded from its manifest (or a registry reference <c>DIR/NAME@alias</c>) by the named runtime,
    /// or by the first registered runtime that accepts it when <paramref name="runtime"/> is <see langword="null"/>. The
    /// runtime packages' verbs (<c>AddOnnxModel</c>, <c>AddMLNetModel</c>, <c>AddTreeModel</c>) register their runtime and call this.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The member's name (the model's name in the catalog).</param>
    /// <param name="manifestPath">The path of <c>NAME.model.json</c> or a registry reference; relative paths are resolved against the host's content root (the current directory without a host).</param>
    /// <param name="runtime">The runtime's name (<c>onnx</c>, <c>mlnet</c>, <c>trees</c>), or <see langword="null"/> to infer it.</param>
    /// <param name="configure">Adjusts the model's options (hash verification, reload, engine threads, weight, unknown features).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="manifestPath"/> is empty, or <paramref name="runtime"/> is empty but not <see langword="null"/>.</exception>
    /// <remarks>A runtime that is not registered, and every other problem with the model's options, is reported when the options are validated at start.</remarks>
    public static IQualityPredictionBuilder AddModel(this IQualityPredictionBuilder builder, string name, string manifestPath, string? runtime = null, Action<ModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(manifestPath);
        if (runtime is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(runtime);
        }

        builder.Services.Configure<QualityPredictionOptions>(builder.Name, options =>
        {
            var model = new ModelOptions { Name = name, Path = manifestPath, Runtime = runtime };
            configure?.Invoke(model);
            options.Models.Add(model);
        });
        return builder;
    }
}
