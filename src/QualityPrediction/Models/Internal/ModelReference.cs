using System.Text.Json;

namespace QualityPrediction.Models.Internal;

/// <summary>
/// A configured model path: either a manifest file (<c>NAME.model.json</c>) or a registry reference
/// <c>DIR/NAME@alias</c>, which resolves through <c>DIR/NAME/aliases.json</c> (<c>{"champion":"0003"}</c>)
/// to <c>DIR/NAME/versions/0003/NAME.model.json</c>; <c>DIR/NAME@0003</c> names the version directly.
/// </summary>
internal sealed class ModelReference
{
    private const long MaxAliasFileBytes = 1024 * 1024;

    private ModelReference(string path, string? aliasesPath, string? alias, string? name)
    {
        Path = path;
        AliasesPath = aliasesPath;
        Alias = alias;
        Name = name;
    }

    /// <summary>Gets the full manifest path, or for a registry reference the full <c>DIR/NAME</c> path.</summary>
    public string Path { get; }

    /// <summary>Gets the full path of <c>aliases.json</c> for a registry reference; otherwise <see langword="null"/>.</summary>
    public string? AliasesPath { get; }

    /// <summary>Gets the alias of a registry reference.</summary>
    public string? Alias { get; }

    /// <summary>Gets the model name of a registry reference.</summary>
    public string? Name { get; }

    /// <summary>Gets the file whose changes mean the model should reload.</summary>
    public string WatchedFile => AliasesPath ?? Path;

    /// <summary>Parses a configured path; relative paths are relative to <paramref name="baseDirectory"/>.</summary>
    public static ModelReference Parse(string configured, string baseDirectory)
    {
        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(configured, baseDirectory));
        var fileName = System.IO.Path.GetFileName(full);
        var at = fileName.LastIndexOf('@');
        if (at <= 0 || fileName.EndsWith(ModelManifest.FileSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return new ModelReference(full, null, null, null);
        }

        var name = fileName[..at];
        var selector = fileName[(at + 1)..];
        var modelDirectory = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, name);
        if (selector.Length >= 4 && selector.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
        {
            // DIR/NAME@0003 names a version directly (the registry's version folders are four or more digits).
            return new ModelReference(System.IO.Path.Combine(modelDirectory, "versions", selector, name + ModelManifest.FileSuffix), null, null, name);
        }

        return new ModelReference(modelDirectory, System.IO.Path.Combine(modelDirectory, "aliases.json"), selector, name);
    }

    /// <summary>Returns the manifest path, reading the alias file for a registry reference.</summary>
    /// <exception cref="ModelLoadException">The alias file is missing, malformed, or has no such alias.</exception>
    public string ResolveManifestPath()
    {
        if (AliasesPath is null)
        {
            return Path;
        }

        var info = new FileInfo(AliasesPath);
        if (!info.Exists)
        {
            throw new ModelLoadException(AliasesPath, "the registry alias file does not exist.", null);
        }

        if (info.Length > MaxAliasFileBytes)
        {
            throw new ModelLoadException(AliasesPath, $"the alias file is {info.Length} bytes, above the limit of {MaxAliasFileBytes}.", null);
        }

        string? version;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(AliasesPath));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ModelLoadException(AliasesPath, "the alias file must hold a JSON object such as {\"champion\":\"0003\"}.", null);
            }

            var root = document.RootElement;
            if (root.TryGetProperty("aliases", out var nested) && nested.ValueKind == JsonValueKind.Object)
            {
                root = nested;
            }

            if (!root.TryGetProperty(Alias!, out var value))
            {
                throw new ModelLoadException(AliasesPath, $"the alias '{Alias}' is not defined.", null);
            }

            version = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Object when value.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String => v.GetString(),
                _ => null,
            };
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException(AliasesPath, $"malformed alias JSON at line {(ex.LineNumber ?? 0) + 1}: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new ModelLoadException(AliasesPath, $"the alias file cannot be read: {ex.Message}", ex);
        }

        if (string.IsNullOrWhiteSpace(version) || version is "." or ".." || version.AsSpan().IndexOfAnyExcept(AllowedVersionChars) >= 0)
        {
            throw new ModelLoadException(AliasesPath, $"the alias '{Alias}' does not name a valid version (letters, digits, '.', '-', '_').", null);
        }

        return System.IO.Path.Combine(Path, "versions", version, Name + ModelManifest.FileSuffix);
    }

    private static readonly System.Buffers.SearchValues<char> AllowedVersionChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
}
