using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.Models;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Commands;

/// <summary>
/// <c>quality registry list|history|compare|delete|archive|restore|unset-alias|tag|describe</c>: inspect and manage a
/// model registry. Every change is recorded in the model's history (who, when, what, why).
/// </summary>
internal static class RegistryCommand
{
    public static Command Create() => new("registry", "Inspect and manage a model registry: versions, aliases, tags, history.")
    {
        List(),
        History(),
        RegistryCompareCommand.Create(),
        RegistryManageCommands.Delete(),
        RegistryManageCommands.Archive(),
        RegistryManageCommands.Restore(),
        RegistryManageCommands.UnsetAlias(),
        RegistryManageCommands.Tag(),
        RegistryManageCommands.Describe(),
    };

    private static Command List()
    {
        var registry = RegistryOptions.Registry();
        var name = new Option<string?>("--name") { Description = "Only this model." };
        var all = new Option<bool>("--all") { Description = "Also list archived and deleted versions." };
        var json = RegistryOptions.Json();
        var list = new Command("list", "List models, their versions (CV MAE, aliases, tags, state) and recorded runs.") { registry, name, all, json };
        list.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var dir = parse.GetValue(registry)!;
            if (!Directory.Exists(dir))
            {
                throw new DirectoryNotFoundException($"Registry folder '{dir}' does not exist.");
            }

            var only = parse.GetValue(name);
            if (only is not null)
            {
                ModelRegistry.RequireModel(dir, only);
            }

            var showAll = parse.GetValue(all);
            var models = ModelRegistry.ListModels(dir).Where(m => only is null || m == only).Select(model =>
            {
                var versions = ModelRegistry.ListVersions(dir, model);
                return new
                {
                    name = model,
                    aliases = ModelRegistry.ReadAliases(dir, model),
                    versions = versions.Where(v => showAll || v.State == VersionState.Active).Select(Describe).ToList(),
                    hidden = new
                    {
                        archived = showAll ? 0 : versions.Count(v => v.State == VersionState.Archived),
                        deleted = showAll ? 0 : versions.Count(v => v.State == VersionState.Deleted),
                    },
                };
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
                    var state = v.state == "active" ? "" : $"  [{v.state}]";
                    var tags = v.tags.Count == 0 ? "" : "  tags " + string.Join(" ", v.tags.Select(t => $"{t.Key}={t.Value}"));
                    var description = v.description is null ? "" : $"  \"{v.description}\"";
                    await stdout.WriteLineAsync($"  {v.version}  {v.trainer,-10} CV MAE {mae,-8} rows {v.rows,-6} {v.createdAt:yyyy-MM-dd HH:mm}  {AliasLabels(v.aliases)}{state}{tags}{description}{(v.error is null ? "" : "  ERROR: " + v.error)}").ConfigureAwait(false);
                }

                if (model.hidden.archived + model.hidden.deleted > 0)
                {
                    await stdout.WriteLineAsync(string.Create(c, $"  ({model.hidden.archived} archived and {model.hidden.deleted} deleted versions not listed; --all lists them)")).ConfigureAwait(false);
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
        return list;
    }

    private static Command History()
    {
        var registry = RegistryOptions.Registry();
        var name = RegistryOptions.Name();
        var promotions = new Option<bool>("--promotions") { Description = "Only promotions and refused promotions." };
        var json = RegistryOptions.Json();
        var command = new Command("history", "The changes to a model, oldest first: who, when, what, the decision and its evidence (the paired comparison) for each promotion.") { name, registry, promotions, json };
        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var dir = parse.GetValue(registry)!;
            var model = parse.GetValue(name)!;
            ModelRegistry.RequireModel(dir, model);
            var entries = ModelRegistry.ReadHistory(dir, model)
                .Where(e => !parse.GetValue(promotions) || e.Action is RegistryActions.Promote or RegistryActions.PromotionRefused)
                .ToList();
            var stdout = CliHelpers.Out(parse);
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new { model, history = entries }, CliHelpers.Json)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (entries.Count == 0)
            {
                await stdout.WriteLineAsync($"{model}: no changes recorded.").ConfigureAwait(false);
            }

            foreach (var e in entries)
            {
                await stdout.WriteLineAsync(HistoryLine(e)).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>One history entry on one line: <c>2026-12-02 15:33:40Z  alice@host  promote  champion -> 0002 (was 0001)  decision  [forced]  reason</c>.</summary>
    internal static string HistoryLine(RegistryHistoryEntry e)
    {
        var what = e.Action switch
        {
            RegistryActions.Promote or RegistryActions.PromotionRefused => $"{e.Alias} -> {e.Version} (was {e.Previous ?? "none"})",
            RegistryActions.UnsetAlias => $"{e.Alias} (was {e.Previous})",
            RegistryActions.Tag => $"{e.Version} " + string.Join(" ", (e.Tags ?? new Dictionary<string, string?>()).Select(t => t.Value is null ? $"-{t.Key}" : $"{t.Key}={t.Value}")),
            _ => e.Version ?? "",
        };
        var removed = e.RemovedAliases is { Count: > 0 } r ? $"; removed {AliasLabels([.. r])}" : "";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{e.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {e.By}  {e.Action}  {what}{removed}{(e.Decision is null ? "" : "  " + e.Decision)}{(e.Forced ? "  [forced]" : "")}{(e.Reason is null ? "" : $"  reason: {e.Reason}")}");
    }

    /// <summary>Each alias on its own (<c>@champion @challenger</c>), never joined into one label.</summary>
    internal static string AliasLabels(IReadOnlyList<string> aliases) => string.Join(" ", aliases.Select(a => "@" + a));

    private static VersionView Describe(RegistryVersion version)
    {
        var common = (version.Version, version.Aliases, State: version.State.ToString().ToLowerInvariant(), version.Metadata.Description, Tags: (IReadOnlyDictionary<string, string>)new SortedDictionary<string, string>(version.Metadata.Tags, StringComparer.Ordinal));
        if (version.State == VersionState.Deleted)
        {
            return new VersionView(common.Version, null, null, null, null, common.Aliases, common.State, common.Description, common.Tags, null);
        }

        try
        {
            var manifest = ModelManifest.Load(version.ManifestPath);
            double? mae = manifest.Metrics is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("cv", out var cv) && cv.TryGetProperty("mae", out var x) ? x.GetDouble() : null;
            return new VersionView(common.Version, manifest.Trainer?.Name, mae, manifest.Data?.Rows, manifest.CreatedAt, common.Aliases, common.State, common.Description, common.Tags, null);
        }
        catch (Exception ex) when (ex is ModelFormatException or FileNotFoundException or IOException)
        {
            return new VersionView(common.Version, null, null, null, null, common.Aliases, common.State, common.Description, common.Tags, ex.Message);
        }
    }

    private sealed record VersionView(
        string version,
        string? trainer,
        double? cvMae,
        long? rows,
        DateTimeOffset? createdAt,
        IReadOnlyList<string> aliases,
        string state,
        string? description,
        IReadOnlyDictionary<string, string> tags,
        string? error);
}
