using System.Globalization;
using System.Text.Json;
using Npgsql;
using QualityPrediction.Feedback;
using QualityPrediction.Models;
using QualityPrediction.Monitoring;
using QualityPrediction.PostgreSql;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Commands;

/// <summary>The parts of <c>quality status</c> about data and feedback: the dataset and its watermark, the feedback store,
/// the last training run, and the error and drift of the most recent joined rows.</summary>
internal static class StatusFeedback
{
    /// <summary>The spill file's name (as <c>FeedbackWriter</c> writes it).</summary>

    public static DatasetReport ReadDataset(string path)
    {
        var report = new DatasetReport { Path = path, Exists = File.Exists(path) };
        if (report.Exists)
        {
            report.Rows = File.ReadLines(path).LongCount(l => !string.IsNullOrWhiteSpace(l));
            report.Bytes = new FileInfo(path).Length;
        }

        var watermarkPath = path + IncrementalDataset.WatermarkSuffix;
        if (File.Exists(watermarkPath))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(watermarkPath));
                var root = document.RootElement;
                report.Watermark = new WatermarkReport(
                    watermarkPath,
                    root.GetProperty("source").GetString(),
                    root.GetProperty("watermark").GetString(),
                    root.GetProperty("rows").GetInt64(),
                    root.GetProperty("bytes").GetInt64());
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"Watermark file '{watermarkPath}' is malformed: {ex.Message}", ex);
            }

            if (report.Watermark.Bytes > report.Bytes)
            {
                throw new InvalidDataException($"Dataset '{path}' holds {report.Bytes} bytes but its watermark '{watermarkPath}' records {report.Watermark.Bytes}; the file was changed by hand.");
            }
        }

        return report;
    }

    public static RunReport? ReadLastRun(string registry)
    {
        if (!Directory.Exists(registry))
        {
            throw new DirectoryNotFoundException($"Registry folder '{registry}' does not exist.");
        }

        if (ModelRegistry.ListRuns(registry).LastOrDefault() is not { } run)
        {
            return null;
        }

        double? cvMae = run.Metrics is { ValueKind: JsonValueKind.Object } metrics
            && metrics.TryGetProperty("cv", out var cv) && cv.ValueKind == JsonValueKind.Object
            && cv.TryGetProperty("mae", out var mae) && mae.ValueKind == JsonValueKind.Number ? mae.GetDouble() : null;
        return new RunReport(run.Id, run.Model, run.Version, run.StartedAt, run.DurationSeconds, run.Data?.Rows, cvMae, run.Comparison);
    }

    /// <summary>Reads the embedded store: counts, rows not yet collected, the spill file and the most recent joined rows.</summary>
    public static async Task<(StoreReport Store, List<FeedbackRow> Recent)> ReadEmbeddedAsync(string folder, string? spillFolder, string? collectedUpTo, int window, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"--feedback-folder: folder '{folder}' does not exist.");
        }

        using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = folder });
        var counts = await store.GetCountsAsync(cancellationToken).ConfigureAwait(false);
        var recent = new Queue<FeedbackRow>(window);
        long? notCollected = null;
        if (collectedUpTo is not null)
        {
            try
            {
                notCollected = await store.CountAfterAsync(collectedUpTo, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException)
            {
                // The dataset was collected from another store.
            }
        }

        await foreach (var row in store.ReadJoinedAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (recent.Count == window)
            {
                recent.Dequeue();
            }

            recent.Enqueue(row);
        }

        var report = new StoreReport("embedded", folder) { Reachable = true, Migrated = true };
        SetCounts(report, counts, notCollected);
        report.Spill = ReadSpill(spillFolder ?? folder);
        return (report, [.. recent]);
    }

    /// <summary>Reads the PostgreSQL store: reachability, migration, counts, rows not yet collected and the most recent joined rows. Never throws for an unreachable server: the report says so.</summary>
    public static async Task<(StoreReport Store, List<FeedbackRow> Recent)> ReadPostgreSqlAsync(string connectionString, string schema, string? spillFolder, string? collectedUpTo, int window, CancellationToken cancellationToken)
    {
        var report = new StoreReport("postgresql", $"schema {schema}");
        var recent = new List<FeedbackRow>();
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (dataSource.ConfigureAwait(false))
        {
            var store = new PostgreSqlFeedbackStore(dataSource, schema);
            await using (store.ConfigureAwait(false))
            {
                report.Spill = spillFolder is null ? null : ReadSpill(spillFolder);
                try
                {
                    var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                    await using (connection.ConfigureAwait(false))
                    {
                        report.Reachable = true;
                        var tables = await ScalarAsync(connection, "SELECT (to_regclass(@p) IS NOT NULL AND to_regclass(@o) IS NOT NULL)::int + (to_regclass(@v) IS NOT NULL)::int", cancellationToken,
                            ("p", $"\"{schema}\".quality_predictions"), ("o", $"\"{schema}\".quality_outcomes"), ("v", $"\"{schema}\".quality_schema_version")).ConfigureAwait(false);
                        report.Migrated = tables == 2;
                        if (!report.Migrated)
                        {
                            report.Error = $"the feedback tables are missing in schema '{schema}'; run `quality migrate --schema {schema}`";
                            return (report, recent);
                        }

                        report.SchemaVersion = (int)await ScalarAsync(connection, $"SELECT coalesce(max(version), 0) FROM \"{schema}\".quality_schema_version", cancellationToken).ConfigureAwait(false);
                        var counts = await store.GetCountsAsync(cancellationToken).ConfigureAwait(false);
                        long? notCollected = null;
                        if (collectedUpTo is not null)
                        {
                            try
                            {
                                notCollected = await store.CountAfterAsync(collectedUpTo, cancellationToken).ConfigureAwait(false);
                            }
                            catch (FormatException)
                            {
                                // The dataset was collected from another store.
                            }
                        }

                        SetCounts(report, counts, notCollected);

                        // Only the most recent rows: from the position just before the N-th latest.
                        var before = await store.GetPositionBeforeLatestAsync(window, cancellationToken).ConfigureAwait(false);
                        await foreach (var row in store.ReadJoinedAsync(before, cancellationToken: cancellationToken).ConfigureAwait(false))
                        {
                            recent.Add(row);
                        }
                    }
                }
                catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    report.Error = ex.Message;
                    if (ex is not PostgresException)
                    {
                        report.Reachable = false;
                    }
                }
            }
        }

        if (recent.Count > window)
        {
            recent.RemoveRange(0, recent.Count - window);
        }

        return (report, recent);
    }

    /// <summary>Feeds the rows to a <see cref="QualityMonitor"/> (a window of <paramref name="window"/> per model version and source) with the manifests registered for drift.</summary>
    public static MonitorReport Summarize(IReadOnlyList<FeedbackRow> rows, IReadOnlyList<ModelManifest> manifests, int window, double tolerance, int minDriftSamples)
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions
        {
            WindowSize = window,
            DriftWindowSize = window,
            RecentPredictionCapacity = Math.Max(1, window),
            MinDriftSamples = minDriftSamples,
            Tolerance = tolerance,
        });
        // A manifest is the drift baseline of its version under every model name the rows carry for that version
        // (the host's member name, which need not be the manifest's).
        foreach (var manifest in manifests)
        {
            monitor.RegisterModel(manifest);
            foreach (var name in rows.Where(r => r.Prediction.ModelVersion == manifest.Version).Select(r => r.Prediction.ModelName).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                monitor.RegisterModel(manifest, name);
            }
        }

        foreach (var row in rows)
        {
            var prediction = row.Prediction;
            var result = new QualityPredictionResult
            {
                Score = prediction.Score,
                Confidence = prediction.Confidence,
                Source = prediction.Source,
                ModelName = prediction.ModelName,
                ModelVersion = prediction.ModelVersion,
                PredictionId = prediction.PredictionId,
                Timestamp = prediction.Timestamp,
            };
            monitor.OnPrediction(prediction.Predictor, new PredictionContext(prediction.Features), result);
            if (double.IsFinite(row.Outcome.Observed))
            {
                monitor.ReportOutcome(result, row.Outcome.Observed);
            }
        }

        var snapshot = monitor.GetSnapshot();
        return new MonitorReport(
            window,
            rows.Count,
            rows.Count == 0 ? null : rows[0].Outcome.Timestamp,
            rows.Count == 0 ? null : rows[^1].Outcome.Timestamp,
            [.. snapshot.Metrics.Select(m => new MetricReport(m.ModelVersion, SourceName(m.Source), m.Count, m.MeanAbsoluteError, m.Accuracy, m.Tolerance, m.ModelName))],
            [.. snapshot.Drift.Select(d => new DriftReport(d.ModelName, d.ModelVersion, d.Feature, d.Kind.ToString().ToLowerInvariant(), d.Samples, d.Psi))]);
    }

    public static string SourceName(PredictionSource source) => source.ToString().ToLowerInvariant();

    /// <summary>The records waiting in the spill folder's files (every writer's, and those of writers that died); <see langword="null"/> when none wait.</summary>
    private static SpillReport? ReadSpill(string folder)
    {
        var (predictions, outcomes, files) = FeedbackWriter.InspectSpillFolder(folder);
        return files.Count == 0 ? null : new SpillReport(files.Count == 1 ? files[0] : folder, predictions, outcomes) { Files = files };
    }

    private static void SetCounts(StoreReport report, FeedbackCounts counts, long? notCollected)
    {
        report.Predictions = counts.Predictions;
        report.Outcomes = counts.Outcomes;
        report.Joined = counts.Joined;
        report.PredictionsWithoutOutcome = counts.Predictions - counts.Joined;
        report.OutcomesWithoutPrediction = counts.Outcomes - counts.Joined;
        report.NotYetCollected = notCollected;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, string Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
    }

    internal sealed class DatasetReport
    {
        public string Path { get; set; } = "";

        public bool Exists { get; set; }

        public long Rows { get; set; }

        public long Bytes { get; set; }

        public WatermarkReport? Watermark { get; set; }
    }

    internal sealed record WatermarkReport(string Path, string? Source, string? Watermark, long Rows, long Bytes);

    internal sealed record RunReport(string Id, string Model, string? Version, DateTimeOffset StartedAt, double DurationSeconds, long? Rows, double? CvMae, string? Comparison);

    internal sealed class StoreReport(string kind, string location)
    {
        public string Kind { get; } = kind;

        public string Location { get; } = location;

        public bool Reachable { get; set; }

        public bool Migrated { get; set; }

        public int? SchemaVersion { get; set; }

        public long? Predictions { get; set; }

        public long? Outcomes { get; set; }

        public long? Joined { get; set; }

        public long? PredictionsWithoutOutcome { get; set; }

        public long? OutcomesWithoutPrediction { get; set; }

        public long? NotYetCollected { get; set; }

        public SpillReport? Spill { get; set; }

        public string? Error { get; set; }
    }

    internal sealed record SpillReport(string Path, long Predictions, long Outcomes)
    {
        public long Pending => Predictions + Outcomes;

        public IReadOnlyList<string> Files { get; init; } = [];
    }

    internal sealed record MonitorReport(int Window, int Rows, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<MetricReport> Metrics, IReadOnlyList<DriftReport> Drift);

    internal sealed record MetricReport(string ModelVersion, string Source, int Count, double? Mae, double? Accuracy, double Tolerance, string ModelName);

    internal sealed record DriftReport(string Model, string Version, string Feature, string Kind, int Samples, double? Psi);
}
