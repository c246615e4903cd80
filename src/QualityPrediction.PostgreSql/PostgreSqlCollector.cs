using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using QualityPrediction.Feedback;
using QualityPrediction.PostgreSql.Internal;

namespace QualityPrediction.PostgreSql;

/// <summary>Builds training datasets (JSON lines of flat records) from PostgreSQL, incrementally (see <see cref="IncrementalDataset"/>).</summary>
public static class PostgreSqlCollector
{
    /// <summary>
    /// Appends the rows of a table or query that are newer than the dataset's watermark: the mapped columns as features
    /// and the rescaled target. Rows whose target is null are skipped; null feature values are left out (missing).
    /// </summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="options">The table or query and the column mapping.</param>
    /// <param name="outputPath">The dataset file; its watermark is kept beside it.</param>
    /// <param name="cancellationToken">Stops the run; nothing of it is kept.</param>
    /// <returns>What was collected.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The mapping is inconsistent: neither or both of table and query, an empty watermark or target column, a name that is not a plain identifier, or a non-finite scale.</exception>
    /// <exception cref="InvalidDataException">A column is missing from the result, a target is not a number, or the watermark does not match the dataset.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached or refuses the query.</exception>
    public static async Task<CollectResult> CollectAsync(NpgsqlDataSource dataSource, PostgreSqlCollectOptions options, string outputPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var from = options.Table is { } table ? Identifier.Quote(table) : $"({options.Query!.Trim().TrimEnd(';')})";
        var watermarkColumn = Identifier.Quote(options.WatermarkColumn);
        var source = $"postgresql:{options.Table ?? options.Query}|{options.WatermarkColumn}";
        var dataset = IncrementalDataset.Open(outputPath, source);
        await using (dataset.ConfigureAwait(false))
        {
            var command = dataSource.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandTimeout = 0;
                var where = "";
                if (dataset.Watermark is { } mark)
                {
                    command.Parameters.Add(ParseWatermark(mark));
                    where = $" WHERE src.{watermarkColumn} > @watermark";
                }

                command.CommandText = $"SELECT * FROM {from} AS src{where} ORDER BY src.{watermarkColumn}";
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var columns = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => i, StringComparer.Ordinal);
                    var target = Ordinal(columns, options.TargetColumn, "target");
                    var watermark = Ordinal(columns, options.WatermarkColumn, "watermark");
                    var features = options.Features.Count > 0
                        ? options.Features.Select(f => (Ordinal: Ordinal(columns, f.Key, "feature"), Name: f.Value)).ToList()
                        : columns.Where(c => c.Value != target && c.Value != watermark).Select(c => (Ordinal: c.Value, Name: c.Key)).ToList();
                    string? last = null;
                    long skipped = 0;
                    var row = new Dictionary<string, FeatureValue>(features.Count, StringComparer.Ordinal);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        last = FormatWatermark(reader, watermark);
                        if (reader.IsDBNull(target))
                        {
                            skipped++;
                            continue;
                        }

                        var value = ToDouble(reader.GetValue(target), options.TargetColumn, last) * options.TargetScale;
                        row.Clear();
                        foreach (var (ordinal, name) in features)
                        {
                            if (!reader.IsDBNull(ordinal))
                            {
                                row[name] = ToFeature(reader.GetValue(ordinal));
                            }
                        }

                        dataset.Append(row, options.TargetName, value);
                    }

                    var appended = dataset.PendingRows;
                    if (last is not null)
                    {
                        await dataset.CommitAsync(last, cancellationToken).ConfigureAwait(false);
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

        Identifier.ThrowIfInvalid(options.WatermarkColumn, nameof(options));
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

    private static string FormatWatermark(NpgsqlDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            throw new InvalidDataException($"The watermark column '{reader.GetName(ordinal)}' holds NULL; it must be set on every row.");
        }

        return reader.GetDataTypeName(ordinal) switch
        {
            "bigint" or "integer" or "smallint" => "int8:" + reader.GetInt64(ordinal).ToString(CultureInfo.InvariantCulture),
            "timestamp with time zone" => "timestamptz:" + reader.GetFieldValue<DateTime>(ordinal).ToString("O", CultureInfo.InvariantCulture),
            "timestamp without time zone" => "timestamp:" + reader.GetFieldValue<DateTime>(ordinal).ToString("O", CultureInfo.InvariantCulture),
            "numeric" => "numeric:" + reader.GetDecimal(ordinal).ToString(CultureInfo.InvariantCulture),
            "uuid" => "uuid:" + reader.GetGuid(ordinal).ToString(),
            _ => "text:" + Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture),
        };
    }

    private static NpgsqlParameter ParseWatermark(string mark)
    {
        var colon = mark.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? mark[..colon] : "";
        var text = mark[(colon + 1)..];
        try
        {
            return kind switch
            {
                "int8" => new NpgsqlParameter<long>("watermark", NpgsqlDbType.Bigint) { TypedValue = long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) },
                "timestamptz" => new NpgsqlParameter<DateTime>("watermark", NpgsqlDbType.TimestampTz) { TypedValue = DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) },
                "timestamp" => new NpgsqlParameter<DateTime>("watermark", NpgsqlDbType.Timestamp) { TypedValue = DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) },
                "numeric" => new NpgsqlParameter<decimal>("watermark", NpgsqlDbType.Numeric) { TypedValue = decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture) },
                "uuid" => new NpgsqlParameter<Guid>("watermark", NpgsqlDbType.Uuid) { TypedValue = Guid.Parse(text) },
                "text" => new NpgsqlParameter<string>("watermark", NpgsqlDbType.Text) { TypedValue = text },
                _ => throw new FormatException($"unknown kind '{kind}'"),
            };
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"The dataset's watermark '{mark}' cannot be read: {ex.Message}.", ex);
        }
    }
}
