using System.CommandLine;
using System.Text.Json;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Commands;

/// <summary>
/// The registry's management commands: <c>delete</c>, <c>archive</c>, <c>restore</c>, <c>unset-alias</c>, <c>tag</c>,
/// <c>describe</c>. The rules are the library's (<see cref="ModelRegistry"/>): never the champion without
/// <c>--force</c>, and every change recorded in the model's history.
/// </summary>
internal static class RegistryManageCommands
{
    public static Command Delete()
    {
        var (name, version, registry, reason, json) = Common();
        var force = new Option<bool>("--force") { Description = "Delete it even when it is the champion (hosts loading NAME@champion then fail to resolve it)." };
        var command = new Command("delete", "Delete a version's files (its number is never reused; its history stays). Aliases pointing at it are removed; never the champion without --force.")
        {
            name, version, registry, force, reason, json,
        };
        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var (dir, model, selector) = (parse.GetValue(registry)!, parse.GetValue(name)!, parse.GetValue(version)!);
            var target = ModelRegistry.ResolveVersion(dir, model, selector).Version;
            var removed = ModelRegistry.DeleteVersion(dir, model, target, parse.GetValue(force), Change(parse, reason));
            await Report(parse, json, new { model, version = target, action = RegistryActions.Delete, removedAliases = removed }, $"{model} {target}: deleted{Removed(removed)}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Archive()
    {
        var (name, version, registry, reason, json) = Common();
        var force = new Option<bool>("--force") { Description = "Archive it even when it is the champion (hosts loading NAME@champion then fail to resolve it)." };
        var command = new Command("archive", "Archive a version: kept and loadable by number, hidden from `registry list`, not promotable until restored. Aliases pointing at it are removed; never the champion without --force.")
        {
            name, version, registry, force, reason, json,
        };
        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var (dir, model, selector) = (parse.GetValue(registry)!, parse.GetValue(name)!, parse.GetValue(version)!);
            var target = ModelRegistry.ResolveVersion(dir, model, selector).Version;
            var removed = ModelRegistry.ArchiveVersion(dir, model, target, parse.GetValue(force), Change(parse, reason));
            await Report(parse, json, new { model, version = target, action = RegistryActions.Archive, removedAliases = removed }, $"{model} {target}: archived{Removed(removed)}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Restore()
    {
        var (name, version, registry, reason, json) = Common("The version: 2 or 0002.");
        var command = new Command("restore", "Restore an archived version (its former aliases are not restored).") { name, version, registry, reason, json };
        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var (dir, model, selector) = (parse.GetValue(registry)!, parse.GetValue(name)!, parse.GetValue(version)!);
            var target = ModelRegistry.ResolveVersion(dir, model, selector).Version;
            var restored = ModelRegistry.RestoreVersion(dir, model, target, Change(parse, reason));
            await Report(parse, json, new { model, version = target, action = RegistryActions.Restore, restored }, restored ? $"{model} {target}: restored" : $"{model} {target}: not archived; nothing to restore").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command UnsetAlias()
    {
        var registry = RegistryOptions.Registry();
        var name = RegistryOptions.Name();
        var alias = new Argument<string>("ALIAS") { Description = "The alias to remove, e.g. challenger." };
        var force = new Option<bool>("--force") { Description = "Remove it even when it is champion (hosts loading NAME@champion then fail to resolve it)." };
        var reason = RegistryOptions.Reason();
        var json = RegistryOptions.Json();
        var command = new Command("unset-alias", "Remove an alias; never champion without --force.") { name, alias, registry, force, reason, json };
        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var (dir, model, aliasName) = (parse.GetValue(registry)!, parse.GetValue(name)!, parse.GetValue(alias)!);
            var previous = ModelRegistry.UnsetAlias(dir, model, aliasName, parse.GetValue(force), Change(parse, reason));
            await Report(parse, json, new { model, alias = aliasName, previous, action = RegistryActions.UnsetAlias }, $"{model}: alias {aliasName} removed (was {previous})").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Tag()
    {
        var (name, version, registry, reason, json) = Common();
        var tags = new Argument<string[]>("TAG") { Description = "KEY=VALUE to set (repeat for more).", Arity = ArgumentArity.ZeroOrMore };
        var remove = new Option<string[]>("--remove") { Description = "Tag keys to remove.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("tag", "Set (KEY=VALUE) or remove (--remove KEY) tags of a version.") { name, version, tags, registry, remove, reason, json };
        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var (dir, model, selector) = (parse.GetValue(registry)!, parse.GetValue(name)!, parse.GetValue(version)!);
            var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in parse.GetValue(tags) ?? [])
            {
                var eq = tag.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new ArgumentException($"Tag '{tag}' is not KEY=VALUE (to remove a tag: --remove KEY).");
                }

                changes[tag[..eq].Trim()] = tag[(eq + 1)..];
            }

            foreach (var key in CliHelpers.SplitList(parse.GetValue(remove)))
            {
                changes[key] = null;
            }

            if (changes.Count == 0)
            {
                throw new ArgumentException("Give at least one KEY=VALUE to set or one --remove KEY.");
            }

            var target = ModelRegistry.ResolveVersion(dir, model, selector).Version;
            var result = ModelRegistry.SetTags(dir, model, target, changes, Change(parse, reason));
            await Report(parse, json, new { model, version = target, action = RegistryActions.Tag, tags = result }, $"{model} {target}: tags {(result.Count == 0 ? "(none)" : string.Join(" ", result.Select(t => $"{t.Key}={t.Value}")))}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Describe()
    {
        var (name, version, registry, reason, json) = Common();
        var text = new Argument<string>("TEXT") { Description = "The description (an empty string removes it)." };
        var command = new Command("describe", "Set the description of a version.") { name, version, text, registry, reason, json };
        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var (dir, model, selector) = (parse.GetValue(registry)!, parse.GetValue(name)!, parse.GetValue(version)!);
            var description = parse.GetValue(text)!;
            var target = ModelRegistry.SetDescription(dir, model, selector, description, Change(parse, reason));
            await Report(parse, json, new { model, version = target, action = RegistryActions.Describe, description }, $"{model} {target}: {(description.Length == 0 ? "description removed" : $"described as \"{description}\"")}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static (Argument<string> Name, Argument<string> Version, Option<string> Registry, Option<string?> Reason, Option<bool> Json) Common(string? versionDescription = null) =>
        (RegistryOptions.Name(), versionDescription is null ? RegistryOptions.Version() : RegistryOptions.Version(versionDescription), RegistryOptions.Registry(), RegistryOptions.Reason(), RegistryOptions.Json());

    private static RegistryChange Change(ParseResult parse, Option<string?> reason) => RegistryChange.Now(reason: parse.GetValue(reason));

    private static string Removed(IReadOnlyList<string> aliases) => aliases.Count == 0 ? "" : $"; removed {RegistryCommand.AliasLabels(aliases)}";

    private static async Task Report(ParseResult parse, Option<bool> json, object payload, string text)
    {
        var stdout = CliHelpers.Out(parse);
        await stdout.WriteLineAsync(parse.GetValue(json) ? JsonSerializer.Serialize(payload, CliHelpers.Json) : text).ConfigureAwait(false);
    }
}
