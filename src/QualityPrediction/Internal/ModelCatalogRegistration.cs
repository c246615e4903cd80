using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityPrediction.Models;
using QualityPrediction.Models.Internal;

namespace QualityPrediction.Internal;

/// <summary>Builds the host's one model catalog from the models of every <c>AddQualityPrediction</c> registration.</summary>
internal static class ModelCatalogRegistration
{
    public static DefaultModelCatalog Create(IServiceProvider services)
    {
        var registrations = services.GetRequiredService<QualityPredictionRegistrations>();
        var monitor = services.GetRequiredService<IOptionsMonitor<QualityPredictionOptions>>();
        var models = new List<ModelOptions>();
        var wait = TimeSpan.Zero;
        foreach (var name in registrations.Names)
        {
            var options = monitor.Get(name);
            models.AddRange(options.Models);
            if (options.Models.Count > 0 && options.ModelLoadWaitAtStart > wait)
            {
                wait = options.ModelLoadWaitAtStart;
            }
        }

        return new DefaultModelCatalog(
            models,
            services.GetServices<IModelRuntime>(),
            Paths.BaseDirectory(services),
            wait,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>(),
            services.GetService<IMeterFactory>());
    }
}
