using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityPrediction.DependencyInjection;
using QualityPrediction.Feedback;
using QualityPrediction.Feedback.Internal;
using QualityPrediction.Monitoring;
using QualityPrediction.Monitoring.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a feedback store, the background <see cref="FeedbackWriter"/> and the observer that queues every prediction.</summary>
public static class QualityPredictionFeedbackBuilderExtensions
{
    /// <summary>Keeps predictions and outcomes in the embedded JSON-lines store (<see cref="JsonLinesFeedbackStore"/>) in <paramref name="folder"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="folder">The store's folder; the spill file defaults to its <c>spill</c> subfolder.</param>
    /// <param name="configure">Configures the writer.</param>
    /// <param name="configureStore">Configures the store (file size, retention); its folder is <paramref name="folder"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is empty.</exception>
    public static IQualityPredictionBuilder AddFeedbackStore(this IQualityPredictionBuilder builder, string folder, Action<FeedbackWriterOptions>? configure = null, Action<JsonLinesFeedbackStoreOptions>? configureStore = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        builder.Services.AddOptions<FeedbackWriterOptions>().Configure(o => o.SpillFolder ??= Path.Combine(folder, "spill"));
        return builder.AddFeedbackStore(
            sp =>
            {
                var options = new JsonLinesFeedbackStoreOptions { Folder = folder };
                configureStore?.Invoke(options);
                options.Folder = folder;
                return new JsonLinesFeedbackStore(options, sp.GetService<ILogger<JsonLinesFeedbackStore>>(), sp.GetService<TimeProvider>());
            },
            configure);
    }

    /// <summary>Keeps predictions and outcomes in the store the factory creates (e.g. PostgreSQL), written in batches by a background <see cref="FeedbackWriter"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="storeFactory">Creates the store, once.</param>
    /// <param name="configure">Configures the writer.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The first store registered wins; calling again only adds configuration.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="storeFactory"/> is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddFeedbackStore(
        this IQualityPredictionBuilder builder,
        Func<IServiceProvider, IFeedbackStore> storeFactory,
        Action<FeedbackWriterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(storeFactory);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        var options = services.AddOptions<FeedbackWriterOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(storeFactory);
        services.TryAddSingleton(sp => new FeedbackWriter(
            sp.GetRequiredService<IFeedbackStore>(),
            sp.GetRequiredService<IOptions<FeedbackWriterOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<FeedbackWriter>>(),
            sp.GetService<IMeterFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, FeedbackWriter>(sp => sp.GetRequiredService<FeedbackWriter>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPredictionObserver, FeedbackPredictionObserver>());
        QualityPredictionMonitoringBuilderExtensions.AddOutcomeReporter(services);
        return builder;
    }
}
