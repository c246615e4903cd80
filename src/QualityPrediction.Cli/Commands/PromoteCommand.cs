using System.CommandLine;
using System.Text.Json;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Commands;

/// <summary>
/// <c>quality promote NAME VERSION [--alias champion]</c>: point an alias at a version. The rule is the library's
/// (<see cref="PromotionRule"/>, applied by <see cref="ModelPromotion"/>): a new champion must beat the constant baseline
/// and the fitted heuristic, and the old champion on the same rows beyond noise, unless <c>--force</c>; the decision, a
/// refusal too, is recorded in the registry's history.
/// </summary>
internal static class PromoteCommand
{
    public static Command Create()
    {
        var name = RegistryOptions.Name();
        var version = RegistryOptions.Version("The version: 2 or 0002 (the same), or a run id.");
        var alias = new Option<string>("--alias") { Description = "The alias to move.", DefaultValueFactory = _ => ModelRegistry.Champion };
        var registry = RegistryOptions.Registry();
        var force = new Option<bool>("--force") { Description = "Promote even when the version is not better than the champion beyond noise." };
        var reason = RegistryOptions.Reason();
        var json = RegistryOptions.Json();
        var command = new Command("promote", "Point an alias (default: champion) at a version; a new champion must beat the constant baseline and the fitted heuristic, and the old champion on the same rows beyond noise (paired bootstrap), unless --force. The decision is recorded in the registry's history.")
        {
            name, version, alias, registry, force, reason, json,
        };

        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var dir = parse.GetValue(registry)!;
            var model = parse.GetValue(name)!;
            var aliasName = parse.GetValue(alias)!;
            var decision = ModelPromotion.Promote(dir, model, parse.GetValue(version)!, new PromotionOptions
            {
                Alias = aliasName,
                Force = parse.GetValue(force),
                Change = RegistryChange.Now(reason: parse.GetValue(reason)),
            });

            var stdout = CliHelpers.Out(parse);
            var ruled = aliasName == ModelRegistry.Champion && decision.Previous != decision.Version;
            var message = ruled ? decision.Decision : "no comparison needed";
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(
                    new
                    {
                        model,
                        version = decision.Version,
                        alias = aliasName,
                        previous = decision.Previous,
                        promoted = decision.Promoted,
                        forced = decision.Forced,
                        comparison = message,
                        betterBeyondNoise = decision.Comparison?.BetterBeyondNoise,
                    },
                    CliHelpers.Json)).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync($"{model} {decision.Version} vs {aliasName} {decision.Previous ?? "(none)"}: {message}").ConfigureAwait(false);
                await stdout.WriteLineAsync(decision.Promoted ? $"{aliasName} -> {decision.Version}{(decision.Forced ? " (forced)" : "")}" : $"not promoted: {aliasName} stays {decision.Previous} (use --force to override)").ConfigureAwait(false);
            }

            if (!decision.Promoted)
            {
                await CliHelpers.Err(parse).WriteLineAsync($"quality: not promoted: {decision.Decision}.").ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
