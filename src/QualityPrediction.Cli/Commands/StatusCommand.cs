using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Commands;

/// <summary><c>quality status</c>: which models load (with each runtime), their versions, training metrics and any load error.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var model = new Option<string[]>("--model") { Description = "NAME.model.json file(s) or registry references DIR/NAME@alias; with a store, also the drift baseline (the manifest's training statistics).", AllowMultipleArgumentsPerToken = true };
        var registry = new Option<string?>("--registry") { Description = "A registry folder: reports every alias of every model in it, and the last training run." };
        var dataset = new Option<string?>("--dataset") { Description = "A JSON-lines training dataset written by `quality collect`: its rows and the watermark beside it." };
        var folder = new Option<string?>("--feedback-folder") { Description = "The embedded feedback store's folder: counts, backlog, and the error and drift of the most recent rows." };
        var variable = new Option<string?>("--connection-string-env") { Description = "The environment variable holding the PostgreSQL feedback store's connection string: reachability, migration, counts, backlog, error and drift." };
        var schema = PostgreSqlCommandHelpers.SchemaOption();
        var spill = new Option<string?>("--spill-folder") { Description = "The feedback writer's spill folder (feedback-spill-*.jsonl): records waiting to be replayed into the store. Default: the feedback folder." };
        var window = NumberOptions.Int32("--window", "How many of the most recent predictions with an outcome the error and drift summary covers.", 500);
        var tolerance = NumberOptions.Double("--tolerance", "Accuracy tolerance when no --model manifest declares one for the model version.", 5);
        var minDrift = NumberOptions.Int32("--min-drift-samples", "Values a feature needs in the window before its PSI is reported.", 100);
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var command = new Command("status", "Report whether models load with each runtime, the rows available for training, the feedback store's reachability and backlog, the last training run, and the error and drift of recent predictions.")
        {
            model, registry, dataset, folder, variable, schema, spill, window, tolerance, minDrift, json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(model) is not { Length: > 0 } && result.GetValue(registry) is null && result.GetValue(dataset) is null
                && result.GetValue(folder) is null && result.GetValue(variable) is null)
            {
                result.AddError("Give at least one of --model, --registry, --dataset, --feedback-folder or --connection-string-env.");
            }

            if (result.GetValue(folder) is not null && result.GetValue(variable) is not null)
            {
                result.AddError("Give --feedback-folder or --connection-string-env, not both.");
            }
        });

        command.SetAction((parse, cancellationToken) => PostgreSqlCommandHelpers.Guard(parse, cancellationToken, async token =>
        {
            if (parse.GetValue(window) < 1 || parse.GetValue(minDrift) < 1 || !(parse.GetValue(tolerance) > 0) || !double.IsFinite(parse.GetValue(tolerance)))
            {
                throw new ArgumentException("--window and --min-drift-samples must be at least 1, and --tolerance a positive number.");
            }

            var modelReferences = parse.GetValue(model) ?? [];
            var registryFolder = parse.GetValue(registry);
            var references = new List<string>(modelReferences);
            if (registryFolder is not null)
            {
                references.AddRange(RegistryReferences(registryFolder));
            }

            var reports = new List<ModelReport>();
            foreach (var reference in references)
            {
                reports.Add(await CheckAsync(reference, token).ConfigureAwait(false));
            }

            var data = parse.GetValue(dataset) is { } datasetPath ? StatusFeedback.ReadDataset(datasetPath) : null;
            var lastRun = registryFolder is null ? null : StatusFeedback.ReadLastRun(registryFolder);

            // The watermark of a dataset collected from the feedback store is the position it collected up to.
            var collectedUpTo = data?.Watermark is { Source: "feedback-store", Watermark: { } mark } ? mark : null;
            var size = parse.GetValue(window);
            StatusFeedback.StoreReport? store = null;
            List<QualityPrediction.Feedback.FeedbackRow> recent = [];
            if (parse.GetValue(folder) is { } feedbackFolder)
            {
                (store, recent) = await StatusFeedback.ReadEmbeddedAsync(feedbackFolder, parse.GetValue(spill), collectedUpTo, size, token).ConfigureAwait(false);
            }
            else if (parse.GetValue(variable) is { } name)
            {
                (store, recent) = await StatusFeedback.ReadPostgreSqlAsync(PostgreSqlCommandHelpers.ConnectionString(name), parse.GetValue(schema)!, parse.GetValue(spill), collectedUpTo, size, token).ConfigureAwait(false);
            }

            StatusFeedback.MonitorReport? monitor = null;
            if (store is { Reachable: true, Migrated: true, Error: null })
            {
                var manifests = reports.Where(r => r.Manifest is not null && r.Name is not null && modelReferences.Contains(r.Reference)).Select(r => ModelManifest.Load(r.Manifest!)).ToList();
                monitor = StatusFeedback.Summarize(recent, manifests, size, parse.GetValue(tolerance), parse.GetValue(minDrift));
            }

            var stdout = CliHelpers.Out(parse);
            if (parse.GetValue(json))
            {
                var payload = new { models = reports, dataset = data, store, lastRun, monitor };
                await stdout.WriteLineAsync(JsonSerializer.Serialize(payload, CliHelpers.Json)).ConfigureAwait(false);
            }
            else
            {
                foreach (var report in reports)
                {
                    await WriteTextAsync(stdout, report).ConfigureAwait(false);
                }

                await WriteFeedbackTextAsync(stdout, data, store, lastRun, monitor).ConfigureAwait(false);
            }

            if (!reports.All(r => r.Runtimes.Count > 0 && r.Runtimes.All(x => x.Loaded)))
            {
                return ExitCodes.BadInput;
            }

            return store is null || store is { Reachable: true, Migrated: true, Error: null } ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }

    private static async Task WriteFeedbackTextAsync(TextWriter output, StatusFeedback.DatasetReport? data, StatusFeedback.StoreReport? store, StatusFeedback.RunReport? run, StatusFeedback.MonitorReport? monitor)
    {
        var c = CultureInfo.InvariantCulture;
        if (data is not null)
        {
            var mark = data.Watermark is { } w
                ? string.Create(c, $"; watermark {DescribeWatermark(w.Watermark)} from {w.Source}, {w.Rows} rows committed{(data.Bytes > w.Bytes ? $", {data.Bytes - w.Bytes} bytes after the last commit (cut off at the next collect)" : "")}")
                : "; no watermark";
            await output.WriteLineAsync(data.Exists
                ? string.Create(c, $"dataset {data.Path}: {data.Rows} rows{mark}")
                : $"dataset {data.Path}: does not exist yet (nothing collected){mark}").ConfigureAwait(false);
        }

        if (store is not null)
        {
            var where = $"{store.Kind} feedback store ({store.Location})";
            if (!store.Reachable)
            {
                await output.WriteLineAsync($"{where}: UNREACHABLE: {store.Error}").ConfigureAwait(false);
            }
            else if (!store.Migrated || store.Error is not null)
            {
                await output.WriteLineAsync($"{where}: reachable, NOT USABLE: {store.Error}").ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync(string.Create(c, $"{where}: reachable{(store.SchemaVersion is { } v ? $", schema version {v}" : "")}; {store.Predictions} predictions, {store.Outcomes} outcomes, {store.Joined} rows for training, {store.PredictionsWithoutOutcome} predictions without outcome")).ConfigureAwait(false);
                if (store.NotYetCollected is { } pending)
                {
                    await output.WriteLineAsync(string.Create(c, $"  {pending} rows for training not yet collected into the dataset")).ConfigureAwait(false);
                }
            }

            if (store.Spill is { } spill)
            {
                await output.WriteLineAsync(string.Create(c, $"  spill {(spill.Files.Count == 1 ? "file" : "files in")} {spill.Path}: {spill.Pending} records waiting for replay ({spill.Predictions} predictions, {spill.Outcomes} outcomes)")).ConfigureAwait(false);
            }
        }

        if (run is not null)
        {
            await output.WriteLineAsync(string.Create(c, $"last training run {run.Id}: model {run.Model} {(run.Version is null ? "(no version)" : "version " + run.Version)}, started {run.StartedAt:yyyy-MM-dd HH:mm} UTC, {run.DurationSeconds:F1} s{(run.Rows is { } rows ? $", {rows} rows" : "")}{(run.CvMae is { } mae ? $", CV MAE {mae:F4}" : "")}")).ConfigureAwait(false);
        }

        if (monitor is not null)
        {
            await output.WriteLineAsync(string.Create(c, $"recent predictions with an outcome: {monitor.Rows} (window {monitor.Window})")).ConfigureAwait(false);
            foreach (var m in monitor.Metrics)
            {
                await output.WriteLineAsync(string.Create(c, $"  {m.Source}{(m.ModelName.Length > 0 ? " " + m.ModelName : "")}{(m.ModelVersion.Length > 0 ? " " + m.ModelVersion : "")}: {m.Count} outcomes, MAE {m.Mae:F3}, within ±{m.Tolerance:G4} {m.Accuracy * 100:F1}%")).ConfigureAwait(false);
            }

            foreach (var d in monitor.Drift)
            {
                await output.WriteLineAsync(d.Psi is { } psi
                    ? string.Create(c, $"  drift {d.Model} {d.Version} {d.Feature} ({d.Kind}): PSI {psi:F3} over {d.Samples} values{(psi > 0.25 ? " SIGNIFICANT" : psi > 0.1 ? " moderate" : "")}")
                    : string.Create(c, $"  drift {d.Model} {d.Version} {d.Feature} ({d.Kind}): {d.Samples} values, too few for a PSI")).ConfigureAwait(false);
            }
        }
    }

    private static List<string> RegistryReferences(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Registry folder '{folder}' does not exist.");
        }

        var references = new List<string>();
        foreach (var modelFolder in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(modelFolder);
            var aliases = Path.Combine(modelFolder, "aliases.json");
            if (File.Exists(aliases))
            {
                using var document = JsonDocument.Parse(File.ReadAllText(aliases));
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    references.AddRange(document.RootElement.EnumerateObject().Select(p => Path.Combine(folder, $"{name}@{p.Name}")));
                    continue;
                }
            }

            // No aliases: the newest version that is neither archived nor deleted.
            if (ModelRegistry.ListVersions(folder, name).LastOrDefault(v => v.State == VersionState.Active) is { } latest)
            {
                references.Add(Path.Combine(folder, $"{name}@{latest.Version}"));
            }
        }

        return references;
    }

    private static async Task<ModelReport> CheckAsync(string reference, CancellationToken cancellationToken)
    {
        var report = new ModelReport { Reference = reference };
        ModelManifest manifest;
        try
        {
            report.Manifest = ModelRegistry.ResolveManifest(reference);
            manifest = ModelManifest.Load(report.Manifest);
        }
        catch (Exception ex) when (ex is ModelLoadException or IOException or UnauthorizedAccessException)
        {
            report.Error = ex.Message;
            return report;
        }

        report.Name = manifest.Name;
        report.Version = manifest.Version;
        report.CreatedAt = manifest.CreatedAt;
        report.Trainer = manifest.Trainer?.Name;
        report.Metrics = manifest.Metrics;
        report.Parity = manifest.Parity?.MaxAbsDifference;
        foreach (var artifact in manifest.Artifacts)
        {
            if (!Runtimes.Contains(artifact.Format, StringComparer.OrdinalIgnoreCase))
            {
                report.Runtimes.Add(new RuntimeReport(artifact.Format, artifact.File, false, $"no runtime for format '{artifact.Format}'"));
                continue;
            }

            var loaded = await CliModel.LoadAsync(report.Manifest, artifact.Format, UnknownFeatureHandling.Warn, null, cancellationToken).ConfigureAwait(false);
            await using var loadedScope = loaded.ConfigureAwait(false);
            var status = loaded.Status;
            report.Runtimes.Add(new RuntimeReport(artifact.Format, artifact.File, status.IsLive, status.LastError));
        }

        return report;
    }

    private static readonly string[] Runtimes = [OnnxModelRuntime.FormatName, MLNetModelRuntime.FormatName];

    private static async Task WriteTextAsync(TextWriter output, ModelReport report)
    {
        var c = CultureInfo.InvariantCulture;
        if (report.Name is null || report.Runtimes.Count == 0)
        {
            await output.WriteLineAsync($"{report.Reference}: NOT LOADED: {report.Error}").ConfigureAwait(false);
            return;
        }

        await output.WriteLineAsync(string.Create(c, $"{report.Reference}: model {report.Name} version {report.Version} (trained {report.CreatedAt:yyyy-MM-dd HH:mm} UTC{(report.Trainer is null ? "" : ", " + report.Trainer)})")).ConfigureAwait(false);
        await output.WriteLineAsync($"  manifest {report.Manifest}").ConfigureAwait(false);
        foreach (var runtime in report.Runtimes)
        {
            await output.WriteLineAsync(runtime.Loaded ? $"  {runtime.Runtime,-6} {runtime.File}: loads" : $"  {runtime.Runtime,-6} {runtime.File}: FAILED: {runtime.Error}").ConfigureAwait(false);
        }

        if (MetricsLine(report.Metrics) is { } metrics)
        {
            await output.WriteLineAsync($"  metrics {metrics}").ConfigureAwait(false);
        }

        if (report.Parity is { } parity)
        {
            await output.WriteLineAsync(string.Create(c, $"  parity  max |onnx - mlnet| = {parity:E2}")).ConfigureAwait(false);
        }
    }

    private static string? MetricsLine(JsonElement? metrics)
    {
        if (metrics is not { ValueKind: JsonValueKind.Object } root)
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var key in new[] { "cv", "baseline", "heuristic" })
        {
            if (root.TryGetProperty(key, out var section) && section.ValueKind == JsonValueKind.Object && section.TryGetProperty("mae", out var mae) && mae.ValueKind == JsonValueKind.Number)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{key} MAE {mae.GetDouble():F4}"));
            }
        }

        if (root.TryGetProperty("intervalCoverage", out var coverage) && coverage.ValueKind == JsonValueKind.Number)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"interval coverage {coverage.GetDouble():P1}"));
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private sealed class ModelReport
    {
        public string Reference { get; set; } = "";

        public string? Manifest { get; set; }

        public string? Name { get; set; }

        public string? Version { get; set; }

        public DateTimeOffset? CreatedAt { get; set; }

        public string? Trainer { get; set; }

        public JsonElement? Metrics { get; set; }

        public double? Parity { get; set; }

        public List<RuntimeReport> Runtimes { get; } = [];

        public string? Error { get; set; }
    }

    private sealed record RuntimeReport(string Runtime, string File, bool Loaded, string? Error);

    /// <summary>A watermark as text: the embedded store's position (a JSON object of files) is summarized by its file count.</summary>
    private static string DescribeWatermark(string? watermark) => watermark switch
    {
        null => "(none)",
        ['{', ..] => JsonDocument.Parse(watermark).RootElement.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Object
            ? string.Create(CultureInfo.InvariantCulture, $"(the position in {files.EnumerateObject().Count()} store files)")
            : watermark,
        _ => watermark,
    };
}
