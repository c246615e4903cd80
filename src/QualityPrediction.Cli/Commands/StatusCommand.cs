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
        var model = new Option<string[]>("--model") { Description = "NAME.model.json file(s) or registry references DIR/NAME@alias.", AllowMultipleArgumentsPerToken = true };
        var registry = new Option<string?>("--registry") { Description = "A registry folder: reports every alias of every model in it." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var command = new Command("status", "Report whether models load with each runtime, their versions, training metrics and load errors.")
        {
            model, registry, json,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(model) is not { Length: > 0 }) == (result.GetValue(registry) is null))
            {
                result.AddError("Give --model or --registry.");
            }
        });

        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async token =>
        {
            var references = parse.GetValue(registry) is { } folder ? RegistryReferences(folder) : [.. parse.GetValue(model)!];
            var reports = new List<ModelReport>();
            foreach (var reference in references)
            {
                reports.Add(await CheckAsync(reference, token).ConfigureAwait(false));
            }

            var stdout = CliHelpers.Out(parse);
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new { models = reports }, CliHelpers.Json)).ConfigureAwait(false);
            }
            else
            {
                foreach (var report in reports)
                {
                    await WriteTextAsync(stdout, report).ConfigureAwait(false);
                }
            }

            return reports.All(r => r.Runtimes.Count > 0 && r.Runtimes.All(x => x.Loaded)) ? ExitCodes.Success : ExitCodes.BadInput;
        }));
        return command;
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

            var versions = Path.Combine(modelFolder, "versions");
            if (Directory.Exists(versions) && Directory.EnumerateDirectories(versions).Select(Path.GetFileName).Order(StringComparer.Ordinal).LastOrDefault() is { } latest)
            {
                references.Add(Path.Combine(folder, $"{name}@{latest}"));
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

            using var predictor = await PredictCommand.LoadAsync(report.Manifest, artifact.Format, cancellationToken).ConfigureAwait(false);
            var status = predictor.Status;
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
}
