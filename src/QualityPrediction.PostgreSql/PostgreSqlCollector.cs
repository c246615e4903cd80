using System.Data;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using QualityPrediction.Feedback;
using QualityPrediction.PostgreSql.Internal;

namespace QualityPrediction.PostgreSql;

/// <summary>Builds training datasets (JSON lines of flat records) from PostgreSQL, incrementally (see <see cref="IncrementalDataset"/>).</summary>
public static class PostgreSqlCollector
{
    private const string VersionColumn = "xmin";
    private const string FullVersionColumn = "__quality_row_version";

    /// <summary>
    /// Appends the rows of a table or query that have a target and are not in the dataset yet: the mapped columns as
    /// features and the rescaled target. Null feature values are left out (missing).
    /// </summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="options">The table or query, the key and the column mapping.</param>
    /// <param name="outputPath">The dataset file; its watermark and the keys of its rows are kept beside it.</param>
    /// <param name="cancellationToken">Stops the run; nothing of it is kept.</param>
    /// <returns>What was collected.</returns>
    /// <remarks>
    /// <para><b>Exactly once.</b> A run reads, in one <c>REPEATABLE READ</c> snapshot, every row with a non-null target whose
    /// row version (<c>xmin</c>, the transaction that inserted or last updated it) is not older than the oldest transaction
    /// that was still running when the previous run read; it appends those whose key the dataset does not hold, then commits
    /// the rows, their keys and the snapshot's oldest running transaction as the new watermark. So every row that has a
    /// target at some run is appended exactly once, by the first run that sees it labelled: a row inserted with its target, a
    /// row whose target is filled in later by an <c>UPDATE</c>, and a row whose transaction commits after others that drew
    /// later ids (identity ids are drawn at insert and seen at commit). A row that changes again after it was collected is
    /// not appended again. A run that fails keeps nothing; the next one reads the same rows again.</para>
    /// <para><b>Cost.</b> Row versions are not indexed: each run scans the table (PostgreSQL filters on the server; only
    /// new or changed labelled rows are sent), and the dataset keeps the key of every row it holds in memory while it
    /// collects and in <c>OUTPUT.keys</c> on disk.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The mapping is inconsistent: neither or both of table and query, an empty key or target column, a name that is not a plain identifier, or a non-finite scale.</exception>
    /// <exception cref="InvalidDataException">A column is missing from the result (a query without <c>xmin</c>), a target is not a number, a key is null, or the watermark does not match the dataset.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached or refuses the query.</exception>
    public static async Task<CollectResult> CollectAsync(NpgsqlDataSource dataSource, PostgreSqlCollectOptions options, string outputPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var from = options.Table is { } table
            ? $"(SELECT src.xmin AS {VersionColumn}, src.* FROM {Identifier.Quote(table)} AS src)"
            : $"({options.Query!.Trim().TrimEnd(';')})";
        var source = $"postgresql:{options.Table ?? options.Query}|key={options.KeyColumn}";
        var dataset = IncrementalDataset.Open(outputPath, source, trackKeys: true);
        await using (dataset.ConfigureAwait(false))
        {
            var after = ParseWatermark(dataset.Watermark, outputPath);
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // The snapshot of this run: its oldest running transaction (the next run's lower bound) and its upper bound.
                    long oldestRunning, next;
                    var snapshot = new NpgsqlCommand("SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint FROM pg_current_snapshot() AS s", connection, transaction);
                    await using (snapshot.ConfigureAwait(false))
                    {
                        var reader = await snapshot.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                            (oldestRunning, next) = (reader.GetInt64(0), reader.GetInt64(1));
                        }
                    }

                    var command = new NpgsqlCommand { Connection = connection, Transaction = transaction, CommandTimeout = 0 };
                    await using (command.ConfigureAwait(false))
                    {
                        // A row version's 64-bit transaction id, from its 32-bit xmin and the snapshot's upper bound (every
                        // visible version is within 2^32 transactions of it).
                        var version = $"(@next - ((@next - src.{VersionColumn}::text::bigint) % 4294967296))";
                        var where = $"src.{Identifier.QuoteAny(options.TargetColumn)} IS NOT NULL";
                        command.Parameters.Add(new NpgsqlParameter<long>("next", NpgsqlDbType.Bigint) { TypedValue = next });
                        if (after is { } bound)
                        {
                            where += $" AND {version} >= @after";
                            command.Parameters.Add(new NpgsqlParameter<long>("after", NpgsqlDbType.Bigint) { TypedValue = bound });
                        }

                        command.CommandText = $"SELECT {version} AS {FullVersionColumn}, src.* FROM {from} AS src WHERE {where} ORDER BY src.{Identifier.QuoteAny(options.KeyColumn)}";
                        NpgsqlDataReader reader;
                        try
                        {
                            reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedColumn)
                        {
                            throw new InvalidDataException(
                                $"{(options.Table is null ? "The query" : $"Table '{options.Table}'")} lacks a column the collection needs: {ex.MessageText}."
                                + (options.Query is not null && ex.MessageText.Contains(VersionColumn, StringComparison.Ordinal)
                                    ? " A query must return the row version of the table that holds the target as a column named xmin (e.g. SELECT r.xmin, r.id, r.score, … FROM ratings r …)."
                                    : ""),
                                ex);
                        }

                        await using (reader.ConfigureAwait(false))
                        {
                            await AppendAsync(reader, options, dataset, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    var appended = dataset.PendingRows;
                    var watermark = "xid8:" + oldestRunning.ToString(CultureInfo.InvariantCulture);
                    if (appended > 0 || !string.Equals(dataset.Watermark, watermark, StringComparison.Ordinal))
                    {
                        await dataset.CommitAsync(watermark, cancellationToken).ConfigureAwait(false);
                    }

                    return new CollectResult(outputPath, appended, dataset.Rows, dataset.Watermark);
                }
            }
        }
    }

    /// <summary>Appends a PostgreSQL feedback store's new joined rows (predictions with their outcomes) to a dataset.</summary>
    /// <param name="store">The store.</param>
    /// <param name="outputPath">The dataset file; its watermark (the last outcome <c>seq</c>) is kept beside it.</param>
    /// <param name="targetName">The name of the target column.</param>
    /// <param name="cancellationToken">Stops the run; nothing of it is kept.</param>
    /// <returns>What was collected.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public static Task<CollectResult> CollectFeedbackAsync(PostgreSqlFeedbackStore store, string outputPath, string targetName = "quality", CancellationToken cancellationToken = default) =>
        FeedbackCollector.CollectAsync(store, outputPath, targetName, cancellationToken);

    private static async Task AppendAsync(NpgsqlDataReader reader, PostgreSqlCollectOptions options, IncrementalDataset dataset, CancellationToken cancellationToken)
    {
        var columns = Enumerable.Range(0, reader.FieldCount).Where(i => reader.GetName(i) != FullVersionColumn).ToDictionary(reader.GetName, i => i, StringComparer.Ordinal);
        var target = Ordinal(columns, options.TargetColumn, "target");
        var key = Ordinal(columns, options.KeyColumn, "key");
        var skip = new HashSet<int> { target, key, Ordinal(columns, VersionColumn, "row version (xmin)") };
        var features = options.Features.Count > 0
            ? options.Features.Select(f => (Ordinal: Ordinal(columns, f.Key, "feature"), Name: f.Value)).ToList()
            : columns.Where(c => !skip.Contains(c.Value)).Select(c => (Ordinal: c.Value, Name: c.Key)).ToList();
        var row = new Dictionary<string, FeatureValue>(features.Count, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = FormatKey(reader, key);
            if (dataset.IsCollected(id))
            {
                continue; // collected by an earlier run, changed since
            }

            var value = ToDouble(reader.GetValue(target), options.TargetColumn, id) * options.TargetScale;
            row.Clear();
            foreach (var (ordinal, name) in features)
            {
                if (!reader.IsDBNull(ordinal))
                {
                    row[name] = ToFeature(reader.GetValue(ordinal));
                }
            }

            dataset.Append(id, row, options.TargetName, value);
        }
    }

    private static void Validate(PostgreSqlCollectOptions options)
    {
        if ((options.Table is null) == (options.Query is null))
        {
            throw new ArgumentException("Give exactly one of Table and Query.", nameof(options));
        }

        if (options.Table is not null)
        {
            Identifier.ThrowIfInvalidQualified(options.Table, nameof(options));
        }
        else if (string.IsNullOrWhiteSpace(options.Query))
        {
            throw new ArgumentException("Query is empty.", nameof(options));
        }

        Identifier.ThrowIfInvalid(options.KeyColumn, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.TargetColumn, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.TargetName, nameof(options));
        if (!double.IsFinite(options.TargetScale) || options.TargetScale == 0)
        {
            throw new ArgumentException($"TargetScale must be a finite, non-zero number, not {options.TargetScale}.", nameof(options));
        }

        if (options.Features.Values.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("A feature mapping has an empty feature name.", nameof(options));
        }

        if (options.Features.Values.Contains(options.TargetName, StringComparer.Ordinal))
        {
            throw new ArgumentException($"A feature is mapped to '{options.TargetName}', the target's name.", nameof(options));
        }
    }

    private static int Ordinal(Dictionary<string, int> columns, string name, string role) =>
        columns.TryGetValue(name, out var ordinal)
            ? ordinal
            : throw new InvalidDataException($"The {role} column '{name}' is not in the result; it has: {string.Join(", ", columns.Keys)}.");

    private static double ToDouble(object value, string column, string row)
    {
        var number = value switch
        {
            double d => d,
            float f => f,
            decimal m => (double)m,
            long l => l,
            int i => i,
            short s => s,
            _ => throw new InvalidDataException($"Row {row}: target column '{column}' holds a {value.GetType().Name}, not a number."),
        };
        return double.IsFinite(number) ? number : throw new InvalidDataException($"Row {row}: target column '{column}' is not finite ({number}).");
    }

    private static FeatureValue ToFeature(object value) => value switch
    {
        double d when double.IsFinite(d) => FeatureValue.Numeric(d),
        float f when float.IsFinite(f) => FeatureValue.Numeric(f),
        decimal m => FeatureValue.Numeric((double)m),
        long l => FeatureValue.Numeric(l),
        int i => FeatureValue.Numeric(i),
        short s => FeatureValue.Numeric(s),
        bool b => FeatureValue.Categorical(b ? "true" : "false"),
        string s => FeatureValue.Categorical(s),
        IFormattable f => FeatureValue.Categorical(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => FeatureValue.Categorical(value.ToString() ?? ""),
    };

    /// <summary>A row's key as text (the form kept in the dataset's keys file).</summary>
    private static string FormatKey(NpgsqlDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            throw new InvalidDataException($"The key column '{reader.GetName(ordinal)}' holds NULL; every row needs a key.");
        }

        return reader.GetValue(ordinal) switch
        {
            DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
            DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            var value => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };
    }

    /// <summary>The lower bound of row versions to read (the previous run's oldest running transaction); <see langword="null"/> for a first run.</summary>
    private static long? ParseWatermark(string? mark, string outputPath)
    {
        if (mark is null)
        {
            return null;
        }

        const string prefix = "xid8:";
        return mark.StartsWith(prefix, StringComparison.Ordinal) && long.TryParse(mark.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"The watermark '{mark}' of dataset '{outputPath}' is not a row-version watermark (xid8:N); it was written by an earlier version, which could miss rows. Collect into a new file (every labelled row is read once).");
    }
}
