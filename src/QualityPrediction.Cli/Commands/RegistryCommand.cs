using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.Models;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Commands;

/// <summary><c>quality registry list</c>: the models, versions, aliases and runs of a registry.</summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var registry = new Option<string>("--registry") { Description = "The registry folder.", DefaultValueFactory = _ => "registry" };
        var name = new Option<string?>("--name") { Description = "Only this model." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var list = new Command("list", "List models, their versions (with CV MAE and aliases) and recorded runs.") { registry, name, json };
        list.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var dir = parse.GetValue(registry)!;
            if (!Directory.Exists(dir))
            {
                throw new DirectoryNotFoundException($"Registry folder '{dir}' does not exist.");
            }

            var only = parse.GetValue(name);
            var models = ModelRegistry.ListModels(dir).Where(m => only is null || m == only).Select(model => new
            {
                name = model,
                aliases = ModelRegistry.ReadAliases(dir, model),
                versions = ModelRegistry.ListVersions(dir, model).Select(v => Describe(v)).ToList(),
            }).ToList();
            var runs = ModelRegistry.ListRuns(dir).Where(r => only is null || r.Model == only)
                .Select(r => new { id = r.Id, model = r.Model, version = r.Version, startedAt = r.StartedAt, durationSeconds = r.DurationSeconds, toolVersion = r.ToolVersion, comparison = r.Comparison })
                .ToList();
            var stdout = CliHelpers.Out(parse);
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new { registry = dir, models, runs }, CliHelpers.Json)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var c = CultureInfo.InvariantCulture;
            foreach (var model in models)
            {
                await stdout.WriteLineAsync($"{model.name}").ConfigureAwait(false);
                foreach (var v in model.versions)
                {
                    var mae = v.cvMae is { } x ? x.ToString("F4", c) : "?";
                    await stdout.WriteLineAsync($"  {v.version}  {v.trainer,-10} CV MAE {mae,-8} rows {v.rows,-6} {v.createdAt:yyyy-MM-dd HH:mm}  {string.Join(",", v.aliases)}{(v.error is null ? "" : "  ERROR: " + v.error)}").ConfigureAwait(false);
                }
            }

            if (models.Count == 0)
            {
                await stdout.WriteLineAsync($"No models in '{dir}'.").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync($"{runs.Count} runs recorded").ConfigureAwait(false);
            foreach (var run in runs.TakeLast(10))
            {
                await stdout.WriteLineAsync(string.Create(c, $"  {run.id}  {run.durationSeconds:F1} s  {run.comparison}")).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));

        return new Command("registry", "Inspect a model registry.") { list };
    }

    private static VersionView Describe(RegistryVersion version)
    {
        try
        {
            var manifest = ModelManifest.Load(version.ManifestPath);
            double? mae = manifest.Metrics is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("cv", out var cv) && cv.TryGetProperty("mae", out var x) ? x.GetDouble() : null;
            return new VersionView(version.Version, manifest.Trainer?.Name, mae, manifest.Data?.Rows, manifest.CreatedAt, version.Aliases, null);
        }
        catch (Exception ex) when (ex is ModelFormatException or FileNotFoundException or IOException)
        {
            return new VersionView(version.Version, null, null, null, null, version.Aliases, ex.Message);
        }
    }

    private sealed record VersionView(string version, string? trainer, double? cvMae, long? rows, DateTimeOffset? createdAt, IReadOnlyList<string> aliases, string? error);
}
