using System.CommandLine;
using System.Text.Json;
using QualityPrediction.Models;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Commands;

/// <summary><c>quality promote NAME VERSION [--alias champion]</c>: point an alias at a version, after comparing it with the current holder.</summary>
internal static class PromoteCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The model name." };
        var version = new Argument<string>("VERSION") { Description = "The version, e.g. 0003." };
        var alias = new Option<string>("--alias") { Description = "The alias to move.", DefaultValueFactory = _ => ModelRegistry.Champion };
        var registry = new Option<string>("--registry") { Description = "The registry folder.", DefaultValueFactory = _ => "registry" };
        var force = new Option<bool>("--force") { Description = "Promote even when the version is not better than the champion beyond noise." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var command = new Command("promote", "Point an alias (default: champion) at a version; a new champion must beat the constant baseline and the fitted heuristic, and the old champion on the same rows beyond noise (paired bootstrap), unless --force.")
        {
            name, version, alias, registry, force, json,
        };

        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var dir = parse.GetValue(registry)!;
            var model = parse.GetValue(name)!;
            var target = parse.GetValue(version)!;
            var aliasName = parse.GetValue(alias)!;
            if (!ModelRegistry.ListVersions(dir, model).Any(v => v.Version == target))
            {
                throw new DirectoryNotFoundException($"Model '{model}' has no version {target} in registry '{dir}'.");
            }

            ModelRegistry.ReadAliases(dir, model).TryGetValue(aliasName, out var current);
            ComparisonResult? comparison = null;
            PromotionDecision? rule = null;
            if (aliasName == ModelRegistry.Champion && current != target)
            {
                if (current is not null)
                {
                    var candidate = ModelRegistry.ReadPredictions(dir, model, target);
                    var champion = ModelRegistry.ReadPredictions(dir, model, current);
                    comparison = candidate is null || champion is null ? null : ModelRegistry.Compare(candidate, champion);
                }

                var manifest = ModelManifest.Load(ModelRegistry.ListVersions(dir, model).First(v => v.Version == target).ManifestPath);
                rule = PromotionRule.Decide(target, ModelSkill.FromManifest(manifest), current, comparison);
            }

            var promoted = parse.GetValue(force) || rule is null || rule.Promote;
            if (promoted)
            {
                ModelRegistry.SetAlias(dir, model, aliasName, target);
            }

            var stdout = CliHelpers.Out(parse);
            var message = rule is null ? "no comparison needed" : rule.Reason;
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new { model, version = target, alias = aliasName, previous = current, promoted, comparison = message, betterBeyondNoise = comparison?.BetterBeyondNoise }, CliHelpers.Json)).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync($"{model} {target} vs {aliasName} {current ?? "(none)"}: {message}").ConfigureAwait(false);
                await stdout.WriteLineAsync(promoted ? $"{aliasName} -> {target}" : $"not promoted: {aliasName} stays {current} (use --force to override)").ConfigureAwait(false);
            }

            if (!promoted)
            {
                await CliHelpers.Err(parse).WriteLineAsync($"quality: not promoted: {rule!.Reason}.").ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
