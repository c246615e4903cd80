using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QualityPrediction.DependencyInjection;
using QualityPrediction.Feedback;
using QualityPrediction.Models;
using QualityPrediction.Monitoring;
using QualityPrediction.Monitoring.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <see cref="QualityMonitor"/>, its health check and the <see cref="IOutcomeReporter"/>.</summary>
public static class QualityPredictionMonitoringBuilderExtensions
{
    /// <summary>
    /// Adds the <see cref="QualityMonitor"/> as a prediction observer, the <see cref="QualityMonitorHealthCheck"/> (add it to
    /// health checks with <c>AddCheck&lt;QualityMonitorHealthCheck&gt;(…)</c>) and the <see cref="IOutcomeReporter"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures windows and thresholds.</param>
    /// <remarks>The monitor reads the model catalog's load states at every snapshot and health check: a failed load makes health Degraded, and each live model's manifest becomes a drift baseline.</remarks>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddQualityMonitor(this IQualityPredictionBuilder builder, Action<QualityMonitorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        var options = services.AddOptions<QualityMonitorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var monitor = new QualityMonitor(
                sp.GetRequiredService<IOptions<QualityMonitorOptions>>().Value,
                sp.GetService<TimeProvider>(),
                sp.GetService<IMeterFactory>());
            if (sp.GetService<IModelCatalog>() is { } catalog)
            {
                monitor.AddModelStatusSource(() => catalog.ModelNames.Select(catalog.GetStatus));
            }

            return monitor;
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPredictionObserver, QualityMonitor>(sp => sp.GetRequiredService<QualityMonitor>()));
        services.TryAddSingleton<QualityMonitorHealthCheck>();
        AddOutcomeReporter(services);
        return builder;
    }

    internal static void AddOutcomeReporter(IServiceCollection services) =>
        services.TryAddSingleton<IOutcomeReporter>(sp => new OutcomeReporter(
            sp.GetService<QualityMonitor>(),
            sp.GetService<FeedbackWriter>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
}
