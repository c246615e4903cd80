using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QualityPrediction;
using QualityPrediction.DependencyInjection;
using QualityPrediction.Internal;
using QualityPrediction.Models;
using QualityPrediction.Models.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers composed quality predictors (<see cref="IQualityPredictor"/>) in a service collection.</summary>
/// <remarks>
/// The composed predictor is a singleton <see cref="QualityPrediction.Ensemble.EnsemblePredictor"/>: one member per
/// <see cref="QualityPredictionOptions.Models"/> entry (a model of the host's <see cref="IModelCatalog"/>, which loads it with
/// the runtime that <c>QualityPrediction.Onnx</c> or <c>QualityPrediction.MLNet</c> registers), then the heuristic of
/// <see cref="QualityPredictionOptions.Heuristic"/>. Options are validated when the host starts. Every registered
/// <see cref="QualityPrediction.Monitoring.IPredictionObserver"/> sees each prediction. In a host, the predictors are built
/// when the host starts (after option validation), so a broken outcomes file or model configuration stops the start
/// instead of the first prediction; without a host they are built on first resolution. Relative model and heuristic paths
/// are resolved against the host's content root (<c>IHostEnvironment.ContentRootPath</c>), or the current directory without a host. Calling these methods more than
/// once with the same arguments is harmless.
/// </remarks>
public static class QualityPredictionServiceCollectionExtensions
{
    /// <summary>Registers the default <see cref="IQualityPredictor"/> with default options (configured heuristic rules only).</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to add model members with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddQualityPrediction(this IServiceCollection services) =>
        AddQualityPrediction(services, Options.Options.DefaultName);

    /// <summary>Registers the default <see cref="IQualityPredictor"/>, configured in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder to add model members with.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddQualityPrediction(this IServiceCollection services, Action<QualityPredictionOptions> configure) =>
        AddQualityPrediction(services, Options.Options.DefaultName, configure);

    /// <summary>Registers the default <see cref="IQualityPredictor"/>, bound to a configuration section (usually <c>"QualityPrediction"</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section to bind; a key that matches no option is an error at start.</param>
    /// <returns>A builder to add model members with.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddQualityPrediction(this IServiceCollection services, IConfiguration configuration) =>
        AddQualityPrediction(services, Options.Options.DefaultName, configuration);

    /// <summary>Registers a named <see cref="IQualityPredictor"/> as a keyed service (resolve it with <c>GetRequiredKeyedService&lt;IQualityPredictor&gt;(name)</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The predictor's name and service key; <see cref="Options.Options.DefaultName"/> registers the default predictor.</param>
    /// <returns>A builder to add model members with.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddQualityPrediction(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        AddCore(services, name);
        return new QualityPredictionBuilder(name, services);
    }

    /// <summary>Registers a named <see cref="IQualityPredictor"/> as a keyed service, configured in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The predictor's name and service key.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder to add model members with.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddQualityPrediction(this IServiceCollection services, string name, Action<QualityPredictionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = AddQualityPrediction(services, name);
        if (QualityPredictionRegistrations.Of(services).AddSource(name, configure))
        {
            services.Configure(name, configure);
        }

        return builder;
    }

    /// <summary>Registers a named <see cref="IQualityPredictor"/> as a keyed service, bound to a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The predictor's name and service key.</param>
    /// <param name="configuration">The section to bind; a key that matches no option is an error at start.</param>
    /// <returns>A builder to add model members with.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddQualityPrediction(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = AddQualityPrediction(services, name);
        var key = configuration is IConfigurationSection section ? "section:" + section.Path : (object)configuration;
        if (QualityPredictionRegistrations.Of(services).AddSource(name, key))
        {
            services.Configure<QualityPredictionOptions>(name, options => OptionsBinding.Bind(configuration, options));
        }

        return builder;
    }

    private static void AddCore(IServiceCollection services, string name)
    {
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        QualityPredictionRegistrations.Of(services).Names.Add(name);
        services.TryAddSingleton(static sp => ModelCatalogRegistration.Create(sp));
        services.TryAddSingleton<IModelCatalog>(static sp => sp.GetRequiredService<DefaultModelCatalog>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DefaultModelCatalog>(static sp => sp.GetRequiredService<DefaultModelCatalog>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QualityPredictionWarmup>());
        services.AddOptionsWithValidateOnStart<QualityPredictionOptions, QualityPredictionOptionsValidator>(name);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QualityPredictionOptions>, QualityPredictionOptionsCustomValidator>());
        services.TryAddKeyedSingleton<IQualityPredictor>(name, static (sp, key) => QualityPredictorComposer.Create(sp, (string)key!));
        if (name.Length == 0)
        {
            services.TryAddSingleton<IQualityPredictor>(static sp => sp.GetRequiredKeyedService<IQualityPredictor>(Options.Options.DefaultName));
        }
    }
}
