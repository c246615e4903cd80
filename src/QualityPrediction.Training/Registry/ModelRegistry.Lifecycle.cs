using QualityPrediction.Internal;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.Models;
using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Registry;

/// <summary>Managing versions: names and numbers people type, metadata (description, tags), archive, restore, delete, unset alias.</summary>
public static partial class ModelRegistry
{
    /// <summary>
    /// Turns a version as people type it into the registry's folder name: <c>2</c> and <c>02</c> are <c>0002</c>;
    /// <c>0002</c> and <c>12345</c> stay as they are.
    /// </summary>
    /// <param name="version">The version.</param>
    /// <returns>The version with at least four digits, or <see langword="null"/> when <paramref name="version"/> is not a number.</returns>
    public static string? NormalizeVersion(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var text = version.Trim();
        return text.Length > 0 && text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? (text.Length >= 4 ? text : number.ToString("D4", CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>Checks that a registry has a model of that name.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <exception cref="DirectoryNotFoundException">The registry folder does not exist, or has no such model: the message lists the models it has, nearest first ("did you mean").</exception>
    public static void RequireModel(string registry, string name)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(name);
        if (!Directory.Exists(registry))
        {
            throw new DirectoryNotFoundException($"Registry folder '{registry}' does not exist.");
        }

        var models = ListModels(registry);
        if (!models.Contains(name, StringComparer.Ordinal))
        {
            var near = NameSuggestions.DidYouMean(name, models);
            throw new DirectoryNotFoundException(models.Count == 0
                ? $"Registry '{registry}' has no model '{name}': it has no models yet (`quality train --registry {registry}` adds one)."
                : $"Registry '{registry}' has no model '{name}'{near}. Its models: {string.Join(", ", models)}.");
        }
    }

    /// <summary>
    /// Resolves what people type for a version: a number (<c>2</c> = <c>0002</c>), an alias (<c>champion</c>), or the id
    /// of a recorded run (the version it produced).
    /// </summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="selector">The version, alias or run id.</param>
    /// <returns>The version (which may be archived or deleted: check <see cref="RegistryVersion.State"/>).</returns>
    /// <exception cref="DirectoryNotFoundException">The model, version, alias or run does not exist: the message lists what does.</exception>
    public static RegistryVersion ResolveVersion(string registry, string name, string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        RequireModel(registry, name);
        var versions = ListVersions(registry, name);
        string? version;
        if (NormalizeVersion(selector) is { } number)
        {
            version = number;
        }
        else if (ReadAliases(registry, name).TryGetValue(selector, out var target))
        {
            version = target;
        }
        else if (ListRuns(registry).FirstOrDefault(r => r.Id == selector && r.Model == name) is { Version: { } produced })
        {
            version = produced;
        }
        else
        {
            var aliases = ReadAliases(registry, name);
            throw new DirectoryNotFoundException(
                $"Model '{name}' has no version, alias or run '{selector}'{NameSuggestions.DidYouMean(selector, aliases.Keys)}. "
                + $"Its aliases: {(aliases.Count == 0 ? "none" : string.Join(", ", aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} -> {a.Value}")))}; "
                + $"its versions: {Describe(versions)}.");
        }

        return versions.FirstOrDefault(v => v.Version == version)
            ?? throw new DirectoryNotFoundException($"Model '{name}' has no version {version} in registry '{registry}'. Its versions: {Describe(versions)}.");
    }

    /// <summary>Reads a version's metadata (<c>version.json</c>); empty when the file does not exist.</summary>
    /// <param name="versionFolder">The version's folder.</param>
    /// <returns>The metadata.</returns>
    /// <exception cref="ModelFormatException">The file is malformed.</exception>
    public static VersionMetadata ReadMetadata(string versionFolder)
    {
        var path = Path.Combine(versionFolder, VersionMetadata.FileName);
        if (!File.Exists(path))
        {
            return new VersionMetadata();
        }

        try
        {
            var metadata = JsonSerializer.Deserialize<VersionMetadata>(File.ReadAllText(path), ModelManifest.SerializerOptions) ?? new VersionMetadata();
            metadata.Tags = new SortedDictionary<string, string>(metadata.Tags ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            return metadata;
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException(path, $"malformed version metadata: {ex.Message}", ex);
        }
    }

    /// <summary>Sets a version's description (replacing the previous one), and records it in the history.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version (<c>2</c>, <c>0002</c> or an alias).</param>
    /// <param name="description">The description; empty removes it.</param>
    /// <param name="change">Who and when.</param>
    /// <returns>The version's folder name.</returns>
    /// <exception cref="DirectoryNotFoundException">The model or version does not exist.</exception>
    /// <exception cref="RegistryRefusedException">The version is deleted.</exception>
    public static string SetDescription(string registry, string name, string version, string description, RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(change);
        RequireModel(registry, name);
        using var gate = RegistryLock.Acquire(registry, name);
        var target = RequireNotDeleted(ResolveVersion(registry, name, version), name, "described");
        target.Metadata.Description = description.Length == 0 ? null : description;
        WriteMetadata(target.Directory, target.Metadata);
        AppendHistoryLocked(registry, new RegistryHistoryEntry { Action = RegistryActions.Describe, Model = name, Version = target.Version, Decision = description.Length == 0 ? "description removed" : description }, change);
        return target.Version;
    }

    /// <summary>Sets or removes a version's tags, and records it in the history.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version (<c>2</c>, <c>0002</c> or an alias).</param>
    /// <param name="tags">Key → value to set, or key → <see langword="null"/> to remove.</param>
    /// <param name="change">Who and when.</param>
    /// <returns>The version's tags after the change.</returns>
    /// <exception cref="ArgumentException">A key is blank.</exception>
    /// <exception cref="DirectoryNotFoundException">The model or version does not exist.</exception>
    /// <exception cref="RegistryRefusedException">The version is deleted.</exception>
    public static IReadOnlyDictionary<string, string> SetTags(string registry, string name, string version, IReadOnlyDictionary<string, string?> tags, RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(change);
        if (tags.Keys.FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
        {
            throw new ArgumentException("A tag needs a non-blank key (KEY=VALUE).", nameof(tags));
        }

        RequireModel(registry, name);
        using var gate = RegistryLock.Acquire(registry, name);
        var target = RequireNotDeleted(ResolveVersion(registry, name, version), name, "tagged");
        foreach (var (key, value) in tags)
        {
            if (value is null)
            {
                target.Metadata.Tags.Remove(key);
            }
            else
            {
                target.Metadata.Tags[key] = value;
            }
        }

        WriteMetadata(target.Directory, target.Metadata);
        AppendHistoryLocked(registry, new RegistryHistoryEntry { Action = RegistryActions.Tag, Model = name, Version = target.Version, Tags = new SortedDictionary<string, string?>(tags.ToDictionary(), StringComparer.Ordinal) }, change);
        return new SortedDictionary<string, string>(target.Metadata.Tags, StringComparer.Ordinal);
    }

    /// <summary>
    /// Archives a version: it stays on disk (and loadable by number) but is hidden from listings and cannot be promoted
    /// until restored. Aliases pointing at it are removed; the champion only with <paramref name="force"/>.
    /// </summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version (<c>2</c>, <c>0002</c> or an alias).</param>
    /// <param name="force">Archive it even when it is the champion (hosts that load <c>NAME@champion</c> then fail to resolve it).</param>
    /// <param name="change">Who, when and why.</param>
    /// <returns>The aliases removed.</returns>
    /// <exception cref="DirectoryNotFoundException">The model or version does not exist.</exception>
    /// <exception cref="RegistryRefusedException">The version is the champion and <paramref name="force"/> is <see langword="false"/>, or it is deleted.</exception>
    public static IReadOnlyList<string> ArchiveVersion(string registry, string name, string version, bool force, RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireModel(registry, name);
        using var gate = RegistryLock.Acquire(registry, name);
        var target = RequireNotDeleted(ResolveVersion(registry, name, version), name, "archived");
        if (target.State == VersionState.Archived)
        {
            return [];
        }

        var removed = RemoveAliasesOf(registry, name, target, force, "archive");
        target.Metadata.Archived = change;
        WriteMetadata(target.Directory, target.Metadata);
        AppendHistoryLocked(registry, new RegistryHistoryEntry { Action = RegistryActions.Archive, Model = name, Version = target.Version, Forced = force && removed.Contains(Champion), RemovedAliases = removed.Count == 0 ? null : [.. removed] }, change);
        return removed;
    }

    /// <summary>Restores an archived version: listed and promotable again (its aliases are not restored).</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version (<c>2</c> or <c>0002</c>).</param>
    /// <param name="change">Who, when and why.</param>
    /// <returns><see langword="true"/> when the version was archived; <see langword="false"/> when it was already active.</returns>
    /// <exception cref="DirectoryNotFoundException">The model or version does not exist.</exception>
    /// <exception cref="RegistryRefusedException">The version is deleted.</exception>
    public static bool RestoreVersion(string registry, string name, string version, RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireModel(registry, name);
        using var gate = RegistryLock.Acquire(registry, name);
        var target = RequireNotDeleted(ResolveVersion(registry, name, version), name, "restored");
        if (target.State != VersionState.Archived)
        {
            return false;
        }

        target.Metadata.Archived = null;
        WriteMetadata(target.Directory, target.Metadata);
        AppendHistoryLocked(registry, new RegistryHistoryEntry { Action = RegistryActions.Restore, Model = name, Version = target.Version }, change);
        return true;
    }

    /// <summary>
    /// Deletes a version's files. Its folder stays with its <c>version.json</c> (who deleted it, when, why), so its number
    /// is never given to a new version and the history stays readable. Aliases pointing at it are removed; the champion
    /// only with <paramref name="force"/>.
    /// </summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version (<c>2</c>, <c>0002</c> or an alias).</param>
    /// <param name="force">Delete it even when it is the champion (hosts that load <c>NAME@champion</c> then fail to resolve it, and keep the version they have loaded).</param>
    /// <param name="change">Who, when and why.</param>
    /// <returns>The aliases removed.</returns>
    /// <exception cref="DirectoryNotFoundException">The model or version does not exist.</exception>
    /// <exception cref="RegistryRefusedException">The version is the champion and <paramref name="force"/> is <see langword="false"/>, or it is already deleted.</exception>
    public static IReadOnlyList<string> DeleteVersion(string registry, string name, string version, bool force, RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireModel(registry, name);
        using var gate = RegistryLock.Acquire(registry, name);
        var target = RequireNotDeleted(ResolveVersion(registry, name, version), name, "deleted");
        var removed = RemoveAliasesOf(registry, name, target, force, "delete");

        // The tombstone first: a crash after it leaves a version that is marked deleted, with files a second delete removes.
        target.Metadata.Deleted = change;
        WriteMetadata(target.Directory, target.Metadata);
        foreach (var entry in new DirectoryInfo(target.Directory).EnumerateFileSystemInfos())
        {
            if (entry.Name == VersionMetadata.FileName)
            {
                continue;
            }

            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }

        AppendHistoryLocked(registry, new RegistryHistoryEntry { Action = RegistryActions.Delete, Model = name, Version = target.Version, Forced = force && removed.Contains(Champion), RemovedAliases = removed.Count == 0 ? null : [.. removed] }, change);
        return removed;
    }

    /// <summary>Removes an alias (the champion only with <paramref name="force"/>), and records it in the history.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="force">Remove it even when it is <c>champion</c> (hosts that load <c>NAME@champion</c> then fail to resolve it).</param>
    /// <param name="change">Who, when and why.</param>
    /// <returns>The version the alias pointed at.</returns>
    /// <exception cref="DirectoryNotFoundException">The model does not exist, or has no such alias.</exception>
    /// <exception cref="RegistryRefusedException">The alias is the champion and <paramref name="force"/> is <see langword="false"/>.</exception>
    public static string UnsetAlias(string registry, string name, string alias, bool force, RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(alias);
        ArgumentNullException.ThrowIfNull(change);
        RequireModel(registry, name);
        using var gate = RegistryLock.Acquire(registry, name);
        var aliases = new Dictionary<string, string>(ReadAliases(registry, name));
        if (!aliases.TryGetValue(alias, out var version))
        {
            throw new DirectoryNotFoundException($"Model '{name}' has no alias '{alias}'{NameSuggestions.DidYouMean(alias, aliases.Keys)}. Its aliases: {(aliases.Count == 0 ? "none" : string.Join(", ", aliases.Keys.Order(StringComparer.Ordinal)))}.");
        }

        if (alias == Champion && !force)
        {
            throw new RegistryRefusedException(name, version, $"'{Champion}' of model '{name}' (version {version}) is what hosts loading '{name}@{Champion}' serve: promote another version instead, or use --force to remove it.");
        }

        aliases.Remove(alias);
        WriteAliases(registry, name, aliases);
        AppendHistoryLocked(registry, new RegistryHistoryEntry { Action = RegistryActions.UnsetAlias, Model = name, Alias = alias, Previous = version, Forced = force && alias == Champion }, change);
        return version;
    }

    private static RegistryVersion RequireNotDeleted(RegistryVersion version, string name, string verb) =>
        version.State == VersionState.Deleted
            ? throw new RegistryRefusedException(name, version.Version, $"Model '{name}' version {version.Version} was deleted{(version.Metadata.Deleted is { } d ? string.Create(CultureInfo.InvariantCulture, $" on {d.At:yyyy-MM-dd HH:mm} UTC by {d.By}") : "")}; it cannot be {verb}.")
            : version;

    /// <summary>Removes the aliases that point at a version (refusing the champion unless forced); the caller holds the lock.</summary>
    private static List<string> RemoveAliasesOf(string registry, string name, RegistryVersion version, bool force, string verb)
    {
        if (version.Aliases.Contains(Champion) && !force)
        {
            throw new RegistryRefusedException(name, version.Version, $"Model '{name}' version {version.Version} is the {Champion}: hosts loading '{name}@{Champion}' serve it. Promote another version first, or use --force to {verb} it anyway.");
        }

        var aliases = new Dictionary<string, string>(ReadAliases(registry, name));
        var removed = aliases.Where(a => a.Value == version.Version).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
        if (removed.Count > 0)
        {
            foreach (var alias in removed)
            {
                aliases.Remove(alias);
            }

            WriteAliases(registry, name, aliases);
        }

        return removed;
    }

    private static void WriteMetadata(string versionFolder, VersionMetadata metadata) =>
        WriteAtomically(Path.Combine(versionFolder, VersionMetadata.FileName), JsonSerializer.Serialize(metadata, ModelManifest.SerializerOptions));

    private static string Describe(IReadOnlyList<RegistryVersion> versions) =>
        versions.Count == 0
            ? "none"
            : string.Join(", ", versions.Select(v => v.Version + (v.Aliases.Count > 0 ? $" ({string.Join(", ", v.Aliases)})" : "") + (v.State == VersionState.Active ? "" : $" [{v.State.ToString().ToLowerInvariant()}]")));
}
