using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using QualityPrediction.Feedback;
using QualityPrediction.PostgreSql.Internal;

namespace QualityPrediction.PostgreSql;

/// <summary>
/// A feedback store in PostgreSQL: tables <c>quality_predictions</c> (context as <c>jsonb</c>) and <c>quality_outcomes</c>,
/// both keyed by the prediction id, created by <see cref="MigrateAsync"/>.
/// </summary>
/// <remarks>
/// <para>Each batch is one multi-row <c>INSERT … SELECT FROM unnest(…) ON CONFLICT (prediction_id) DO NOTHING</c>: one round
/// trip, atomic, and idempotent, so a batch retried after a failure stores nothing twice.</para>
/// <para>Outcomes get an increasing <c>seq</c>; <see cref="ReadJoinedAsync"/> positions are that number, which is what
/// <c>quality collect</c> keeps as its watermark. Thread-safe (a pooled <see cref="NpgsqlDataSource"/>).</para>
/// </remarks>
public sealed class PostgreSqlFeedbackStore : IFeedbackStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly Sql _sql;
    private readonly int _timeoutSeconds;
    private int _disposed;

    /// <summary>Creates a store from options; it owns its connection pool.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The connection string is empty or invalid, or the schema is not a plain lowercase identifier.</exception>
    public PostgreSqlFeedbackStore(PostgreSqlFeedbackStoreOptions options)
        : this(CreateDataSource(options), options.Schema, options.CommandTimeout, ownsDataSource: true)
    {
    }

    /// <summary>Creates a store over an existing data source, which the caller keeps owning.</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="schema">The schema holding the tables.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a plain lowercase identifier.</exception>
    public PostgreSqlFeedbackStore(NpgsqlDataSource dataSource, string schema = "public")
        : this(dataSource, schema, TimeSpan.FromSeconds(30), ownsDataSource: false)
    {
    }

    private PostgreSqlFeedbackStore(NpgsqlDataSource dataSource, string schema, TimeSpan timeout, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        Identifier.ThrowIfInvalid(schema, nameof(schema));
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _sql = new Sql(schema);
        _timeoutSeconds = (int)Math.Clamp(timeout.TotalSeconds, 1, int.MaxValue);
        Schema = schema;
    }

    /// <summary>Gets the schema holding the tables.</summary>
    public string Schema { get; }

    /// <summary>Gets the data source (for collection queries over the same database).</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Creates the schema, tables and indexes when missing. Idempotent, and safe to run from several processes at once (an advisory lock serializes them).</summary>
    /// <param name="cancellationToken">Cancels the migration (rolled back).</param>
    /// <returns>The schema version after the migration.</returns>
    /// <exception cref="NpgsqlException">The database cannot be reached or refuses the statements (e.g. missing privileges).</exception>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var migrate = new NpgsqlCommand(_sql.Migrate, connection, transaction) { CommandTimeout = _timeoutSeconds };
                await using (migrate.ConfigureAwait(false))
                {
                    await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                var version = new NpgsqlCommand(_sql.Version, connection, transaction) { CommandTimeout = _timeoutSeconds };
                int result;
                await using (version.ConfigureAwait(false))
                {
                    result = Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="NpgsqlException">The database cannot be reached or refuses the batch (nothing of it is stored).</exception>
    public async ValueTask WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (records.Count == 0)
        {
            return;
        }

        var n = records.Count;
        var ids = new Guid[n];
        var predictors = new string[n];
        var contexts = new string[n];
        var scores = new double[n];
        var confidences = new double[n];
        var sources = new string[n];
        var modelNames = new string?[n];
        var modelVersions = new string?[n];
        var createdAt = new DateTime[n];
        var selection = new double?[n];
        for (var i = 0; i < n; i++)
        {
            var record = records[i] ?? throw new ArgumentException($"Record {i} of the batch is null.", nameof(records));
            ids[i] = record.PredictionId;
            predictors[i] = record.Predictor;
            contexts[i] = FeedbackJson.SerializeFeatures(record.Features);
            scores[i] = record.Score;
            confidences[i] = record.Confidence;
            sources[i] = FeedbackJson.SourceName(record.Source);
            modelNames[i] = record.ModelName;
            modelVersions[i] = record.ModelVersion;
            createdAt[i] = record.Timestamp.UtcDateTime;
            selection[i] = record.SelectionProbability;
        }

        var command = _dataSource.CreateCommand(_sql.InsertPredictions);
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = _timeoutSeconds;
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("id", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = ids });
            command.Parameters.Add(new NpgsqlParameter<string[]>("predictor", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = predictors });
            command.Parameters.Add(new NpgsqlParameter<string[]>("context", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = contexts });
            command.Parameters.Add(new NpgsqlParameter<double[]>("score", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = scores });
            command.Parameters.Add(new NpgsqlParameter<double[]>("confidence", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = confidences });
            command.Parameters.Add(new NpgsqlParameter<string[]>("source", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = sources });
            command.Parameters.Add(new NpgsqlParameter<string?[]>("model_name", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = modelNames });
            command.Parameters.Add(new NpgsqlParameter<string?[]>("model_version", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = modelVersions });
            command.Parameters.Add(new NpgsqlParameter<DateTime[]>("created_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = createdAt });
            command.Parameters.Add(new NpgsqlParameter<double?[]>("selection_probability", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = selection });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <exception cref="NpgsqlException">The database cannot be reached or refuses the batch (nothing of it is stored).</exception>
    public async ValueTask WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (records.Count == 0)
        {
            return;
        }

        var n = records.Count;
        var ids = new Guid[n];
        var observed = new double[n];
        var observedAt = new DateTime[n];
        for (var i = 0; i < n; i++)
        {
            var record = records[i] ?? throw new ArgumentException($"Record {i} of the batch is null.", nameof(records));
            ids[i] = record.PredictionId;
            observed[i] = record.Observed;
            observedAt[i] = record.Timestamp.UtcDateTime;
        }

        var command = _dataSource.CreateCommand(_sql.InsertOutcomes);
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = _timeoutSeconds;
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("id", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = ids });
            command.Parameters.Add(new NpgsqlParameter<double[]>("observed", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = observed });
            command.Parameters.Add(new NpgsqlParameter<DateTime[]>("observed_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = observedAt });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>A position is the outcome's <c>seq</c>. Before reading, a brief <c>SHARE</c> lock on <c>quality_outcomes</c> waits for
    /// inserts in flight and fixes the highest committed <c>seq</c>; only rows up to it are read, so an insert that commits
    /// later always gets a higher position and a reader continuing after the last position never skips a row. (A user without
    /// the privilege to take the lock reads without it.) Rows are streamed; a row whose context is not a JSON object fails the read with a <see cref="FormatException"/> naming the prediction.</remarks>
    public async IAsyncEnumerable<FeedbackRow> ReadJoinedAsync(long afterPosition = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var upTo = await SettledPositionAsync(cancellationToken).ConfigureAwait(false);
        var command = _dataSource.CreateCommand(_sql.ReadJoined);
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = 0;
            command.Parameters.Add(new NpgsqlParameter<long>("after", NpgsqlDbType.Bigint) { TypedValue = afterPosition });
            command.Parameters.Add(new NpgsqlParameter<long>("upto", NpgsqlDbType.Bigint) { TypedValue = upTo });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var id = reader.GetGuid(1);
                    IReadOnlyDictionary<string, FeatureValue> features;
                    try
                    {
                        using var context = JsonDocument.Parse(reader.GetString(3));
                        features = FeedbackJson.ReadFeatures(context.RootElement);
                    }
                    catch (Exception ex) when (ex is JsonException or FormatException)
                    {
                        throw new FormatException($"quality_predictions row {id}: column 'context': {ex.Message}", ex);
                    }

                    var prediction = new PredictionRecord
                    {
                        PredictionId = id,
                        Predictor = reader.GetString(2),
                        Features = features,
                        Score = reader.GetDouble(4),
                        Confidence = reader.GetDouble(5),
                        Source = FeedbackJson.ParseSource(reader.GetString(6)),
                        ModelName = reader.IsDBNull(7) ? null : reader.GetString(7),
                        ModelVersion = reader.IsDBNull(8) ? null : reader.GetString(8),
                        Timestamp = reader.GetFieldValue<DateTimeOffset>(9),
                        SelectionProbability = reader.IsDBNull(10) ? null : reader.GetDouble(10),
                    };
                    var outcome = new OutcomeRecord(id, reader.GetDouble(11), reader.GetFieldValue<DateTimeOffset>(12));
                    yield return new FeedbackRow(reader.GetInt64(0), prediction, outcome);
                }
            }
        }
    }

    /// <summary>The highest outcome seq below which no insert is still in flight.</summary>
    private async Task<long> SettledPositionAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var settled = new NpgsqlCommand(_sql.SettledSeq, connection, transaction) { CommandTimeout = _timeoutSeconds };
                    await using (settled.ConfigureAwait(false))
                    {
                        var result = Convert.ToInt64(await settled.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return result;
                    }
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                var max = new NpgsqlCommand(_sql.MaxSeq, connection) { CommandTimeout = _timeoutSeconds };
                await using (max.ConfigureAwait(false))
                {
                    return Convert.ToInt64(await max.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public async ValueTask<FeedbackCounts> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var command = _dataSource.CreateCommand(_sql.Counts);
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = _timeoutSeconds;
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new FeedbackCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static NpgsqlDataSource CreateDataSource(PostgreSqlFeedbackStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, nameof(options));
        try
        {
            return NpgsqlDataSource.Create(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The PostgreSQL connection string is invalid: {ex.Message}", nameof(options), ex);
        }
    }
}
