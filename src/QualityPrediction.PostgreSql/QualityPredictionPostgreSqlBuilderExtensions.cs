using Microsoft.Extensions.Options;
using QualityPrediction.DependencyInjection;
using QualityPrediction.Feedback;
using QualityPrediction.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL feedback store.</summary>
public static class QualityPredictionPostgreSqlBuilderExtensions
{
    /// <summary>
    /// Keeps predictions and outcomes in PostgreSQL (<see cref="PostgreSqlFeedbackStore"/>), written in batches by the
    /// background <see cref="FeedbackWriter"/>, which spills to a local file while the database is down.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string (from configuration or the environment, never a literal) and schema.</param>
    /// <param name="configureWriter">Configures the writer (queue capacity, batch size, spill folder, retry interval).</param>
    /// <returns>The builder.</returns>
    /// <remarks>The tables must exist: run <c>quality migrate</c> or <see cref="PostgreSqlFeedbackStore.MigrateAsync"/> once per database.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IQualityPredictionBuilder AddPostgreSqlFeedbackStore(
        this IQualityPredictionBuilder builder,
        Action<PostgreSqlFeedbackStoreOptions> configure,
        Action<FeedbackWriterOptions>? configureWriter = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<PostgreSqlFeedbackStoreOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        return builder.AddFeedbackStore(
            sp => new PostgreSqlFeedbackStore(sp.GetRequiredService<IOptions<PostgreSqlFeedbackStoreOptions>>().Value),
            configureWriter);
    }

    /// <summary>Keeps predictions and outcomes in PostgreSQL, with a connection string the host read from configuration (e.g. <c>configuration.GetConnectionString("quality")</c>) or the environment.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="configureWriter">Configures the writer.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static IQualityPredictionBuilder AddPostgreSqlFeedbackStore(
        this IQualityPredictionBuilder builder,
        string connectionString,
        Action<FeedbackWriterOptions>? configureWriter = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddPostgreSqlFeedbackStore(o => o.ConnectionString = connectionString, configureWriter);
    }
}
