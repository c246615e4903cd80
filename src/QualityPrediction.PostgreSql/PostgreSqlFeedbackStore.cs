using System.Globalization;
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
/// <para>One sequence numbers predictions and outcomes (<c>seq</c> in both tables). A row (a prediction with its outcome)
/// becomes complete when its later half is stored, and its position is that half's <c>seq</c>; positions are what
/// <c>quality collect</c> keeps as its watermark (see <see cref="GetPositionAsync"/> for why a reader never misses a row).
/// Thread-safe (a pooled <see cref="NpgsqlDataSource"/>).</para>
/// </remarks>
public sealed class PostgreSqlFeedbackStore : IFeedbackStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly Sql _sql;
    private readonly int _timeoutSeconds;
    private readonly TimeSpan _unlockedReadLag;
    private int _disposed;

    /// <summary>Creates a store from options; it owns its connection pool.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The connection string is empty or invalid, or the schema is not a plain lowercase identifier.</exception>
    public PostgreSqlFeedbackStore(PostgreSqlFeedbackStoreOptions options)
        : this(CreateDataSource(options), options.Schema, options.CommandTimeout, ownsDataSource: true, options.UnlockedReadLag)
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

    private PostgreSqlFeedbackStore(NpgsqlDataSource dataSource, string schema, TimeSpan timeout, bool ownsDataSource, TimeSpan? unlockedReadLag = null)
    {
        _unlockedReadLag = unlockedReadLag ?? TimeSpan.FromMinutes(5);
        ArgumentOutOfRangeException.ThrowIfLessThan(_unlockedReadLag, TimeSpan.Zero, nameof(unlockedReadLag));
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
    /// <remarks>
    /// <para>The position is the highest <c>seq</c> such that every row numbered up to it is committed; inserts that commit
    /// later always get higher numbers, so a reader that continues after it never skips a row, whatever order concurrent
    /// writers commit in. To fix it, a brief <c>SHARE</c> lock on each table waits for the inserts in flight; each wait is
    /// at most 100 ms and is retried until the command timeout, so a writer waits at most that long and is never chosen
    /// as a deadlock victim (even one that inserts into both tables in one transaction). Readers are not blocked.</para>
    /// <para>A user without the privilege to take that lock (it needs <c>UPDATE</c>, <c>DELETE</c> or <c>TRUNCATE</c> on
    /// the tables) gets, instead, the highest <c>seq</c> among rows inserted more than
    /// <see cref="PostgreSqlFeedbackStoreOptions.UnlockedReadLag"/> ago: exact as long as every insert transaction commits
    /// within half that lag (the library's writer commits each batch within its command timeout).</para>
    /// </remarks>
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public async ValueTask<string> GetPositionAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return (await SettledPositionAsync(cancellationToken).ConfigureAwait(false)).ToString(CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    /// <remarks>A row's position is the <c>seq</c> of whichever of its prediction and outcome was stored last. Rows are
    /// streamed in position order; a row whose context is not a JSON object fails the read with a
    /// <see cref="FormatException"/> naming the prediction.</remarks>
    /// <exception cref="FormatException">A position is not one of this store's (a number).</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public async IAsyncEnumerable<FeedbackRow> ReadJoinedAsync(string? after = null, string? upTo = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var from = ParsePosition(after, nameof(after));
        var to = upTo is null ? await SettledPositionAsync(cancellationToken).ConfigureAwait(false) : ParsePosition(upTo, nameof(upTo));
        var command = _dataSource.CreateCommand(_sql.ReadJoined);
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = 0;
            command.Parameters.Add(new NpgsqlParameter<long>("after", NpgsqlDbType.Bigint) { TypedValue = from });
            command.Parameters.Add(new NpgsqlParameter<long>("upto", NpgsqlDbType.Bigint) { TypedValue = to });
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
                    yield return new FeedbackRow(prediction, outcome);
                }
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Writes already ignore ids that are stored (<c>ON CONFLICT DO NOTHING</c>); this answers the question anyway, with one query.</remarks>
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public async ValueTask<StoredFeedbackIds> FindStoredAsync(IReadOnlyCollection<Guid> predictionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictionIds);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var predictions = new HashSet<Guid>();
        var outcomes = new HashSet<Guid>();
        if (predictionIds.Count == 0)
        {
            return new StoredFeedbackIds(predictions, outcomes);
        }

        var command = _dataSource.CreateCommand(_sql.FindStored);
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = _timeoutSeconds;
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = [.. predictionIds] });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    (reader.GetInt32(1) == 0 ? predictions : outcomes).Add(reader.GetGuid(0));
                }
            }
        }

        return new StoredFeedbackIds(predictions, outcomes);
    }

    /// <summary>Counts the rows complete by now that come after a position (e.g. a dataset's watermark): the rows its next collection appends.</summary>
    /// <param name="after">The position; <see langword="null"/> for all rows.</param>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The number of rows.</returns>
    /// <exception cref="FormatException"><paramref name="after"/> is not a position of this store.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public async ValueTask<long> CountAfterAsync(string? after, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var command = _dataSource.CreateCommand(_sql.CountAfter);
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = _timeoutSeconds;
            command.Parameters.Add(new NpgsqlParameter<long>("after", NpgsqlDbType.Bigint) { TypedValue = ParsePosition(after, nameof(after)) });
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Gets the position just before the <paramref name="count"/> most recent rows, to read only those.</summary>
    /// <param name="count">How many of the latest rows.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>A position to pass as <c>after</c> to <see cref="ReadJoinedAsync"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public async ValueTask<string> GetPositionBeforeLatestAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var command = _dataSource.CreateCommand(_sql.NthLatestPosition);
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = _timeoutSeconds;
            command.Parameters.Add(new NpgsqlParameter<int>("n", NpgsqlDbType.Integer) { TypedValue = count - 1 });
            var nth = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            return Math.Max(0, nth - 1).ToString(CultureInfo.InvariantCulture);
        }
    }

    private static long ParsePosition(string? position, string parameter) =>
        position is null ? 0
        : long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FormatException($"'{position}' ({parameter}) is not a position of the PostgreSQL feedback store (a number); was the dataset collected from another store?");

    /// <summary>The highest seq below which no insert is still in flight.</summary>
    private async Task<long> SettledPositionAsync(CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (_timeoutSeconds * 1000L);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var settled = new NpgsqlCommand(_sql.SettledSeq, connection, transaction) { CommandTimeout = _timeoutSeconds };
                        await using (settled.ConfigureAwait(false))
                        {
                            var result = Convert.ToInt64(await settled.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                            return result;
                        }
                    }
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable && Environment.TickCount64 < deadline)
                {
                    // Writers hold the tables: let them finish (they queue behind a lock request, so it is not kept waiting).
                    await Task.Delay(Random.Shared.Next(10, 50 * Math.Min(attempt, 10)), cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
                {
                    var lagged = new NpgsqlCommand(_sql.LaggedSeq, connection) { CommandTimeout = _timeoutSeconds };
                    await using (lagged.ConfigureAwait(false))
                    {
                        lagged.Parameters.Add(new NpgsqlParameter<TimeSpan>("lag", NpgsqlDbType.Interval) { TypedValue = _unlockedReadLag });
                        return Convert.ToInt64(await lagged.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                    }
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
