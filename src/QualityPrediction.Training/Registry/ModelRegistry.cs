using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using QualityPrediction.Models;
using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Registry;

/// <summary>One version of a model in a registry.</summary>
/// <param name="Version">The version, e.g. <c>0003</c>.</param>
/// <param name="Directory">The version's folder.</param>
/// <param name="ManifestPath">The path of its <c>NAME.model.json</c>.</param>
/// <param name="Aliases">The aliases pointing at it (e.g. <c>champion</c>), each one on its own, sorted.</param>
public sealed record RegistryVersion(string Version, string Directory, string ManifestPath, IReadOnlyList<string> Aliases)
{
    /// <summary>Gets the version's metadata (<c>version.json</c>): description, tags, archived or deleted.</summary>
    public VersionMetadata Metadata { get; init; } = new();

    /// <summary>Gets whether the version is active, archived or deleted.</summary>
    public VersionState State => Metadata.State;
}

/// <summary>A recorded training run.</summary>
public sealed class RunRecord
{
    /// <summary>Gets or sets the run identifier (also its folder name).</summary>
    public string Id { get; set; } = "";

    /// <summary>Gets or sets the model name.</summary>
    public string Model { get; set; } = "";

    /// <summary>Gets or sets the version the run produced, if any.</summary>
    public string? Version { get; set; }

    /// <summary>Gets or sets when the run started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Gets or sets the run's duration in seconds.</summary>
    public double DurationSeconds { get; set; }

    /// <summary>Gets or sets the tool version.</summary>
    public string ToolVersion { get; set; } = "";

    /// <summary>Gets or sets the run's parameters (command-line options).</summary>
    public IDictionary<string, string> Parameters { get; set; } = new Dictionary<string, string>();

    /// <summary>Gets or sets the data fingerprint.</summary>
    public DataFingerprint? Data { get; set; }

    /// <summary>Gets or sets the metrics (as in the manifest).</summary>
    public JsonElement? Metrics { get; set; }

    /// <summary>Gets or sets the comparison with the champion, when there was one.</summary>
    public string? Comparison { get; set; }
}

/// <summary>
/// A model registry on disk: <c>DIR/NAME/versions/NNNN/</c> (an artifact set, <c>report.md</c> and
/// <c>predictions.json</c>), <c>DIR/NAME/aliases.json</c> (<c>{"champion":"0003","challenger":"0004"}</c>) and
/// <c>DIR/runs/RUN/run.json</c>. A model reference <c>DIR/NAME@champion</c> or <c>DIR/NAME@0003</c> names one version.
/// See <c>docs/model-format.md</c>.
/// </summary>
public static partial class ModelRegistry
{
    /// <summary>The alias of the version in production.</summary>
    public const string Champion = "champion";

    /// <summary>The alias of the newest candidate version.</summary>
    public const string Challenger = "challenger";

    /// <summary>The file that maps aliases to versions.</summary>
    public const string AliasesFile = "aliases.json";

    /// <summary>The file in a version folder holding its out-of-fold predictions, used to compare versions on the same rows.</summary>
    public const string PredictionsFile = "predictions.json";

    /// <summary>Splits a reference <c>DIR/NAME@VERSION_OR_ALIAS</c>.</summary>
    /// <param name="reference">The reference.</param>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="selector">The version or alias.</param>
    /// <returns><see langword="true"/> when the reference has that form.</returns>
    public static bool TryParseReference(string reference, out string registry, out string name, out string selector)
    {
        ArgumentNullException.ThrowIfNull(reference);
        registry = name = selector = "";
        var at = reference.LastIndexOf('@');
        if (at <= 0 || at == reference.Length - 1)
        {
            return false;
        }

        var path = reference[..at].TrimEnd('/', '\\');
        selector = reference[(at + 1)..];
        name = Path.GetFileName(path);
        registry = Path.GetDirectoryName(path) ?? "";
        if (registry.Length == 0)
        {
            registry = ".";
        }

        return name.Length > 0 && selector.IndexOfAny(['/', '\\']) < 0;
    }

    /// <summary>Resolves a reference to a manifest path: <c>DIR/NAME@champion</c>, <c>DIR/NAME@0003</c>, or a path to a <c>.model.json</c> file.</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The manifest path.</returns>
    /// <exception cref="FileNotFoundException">The alias, version or manifest does not exist.</exception>
    public static string ResolveManifest(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.EndsWith(ModelManifest.FileSuffix, StringComparison.OrdinalIgnoreCase) || !TryParseReference(reference, out var registry, out var name, out var selector))
        {
            return File.Exists(reference) ? reference : throw new FileNotFoundException($"Model manifest '{reference}' does not exist.", reference);
        }

        var version = selector;
        if (!VersionPattern().IsMatch(selector))
        {
            var aliases = ReadAliases(registry, name);
            if (!aliases.TryGetValue(selector, out var target))
            {
                throw new FileNotFoundException($"Model '{name}' in registry '{registry}' has no alias '{selector}' (aliases: {(aliases.Count == 0 ? "none" : string.Join(", ", aliases.Keys))}).", Path.Combine(registry, name, AliasesFile));
            }

            version = target;
        }

        var path = Path.Combine(registry, name, "versions", version, name + ModelManifest.FileSuffix);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Model '{name}' version {version} has no manifest at '{path}'.", path);
    }

    /// <summary>Lists the model names in a registry.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <returns>The names, sorted.</returns>
    public static IReadOnlyList<string> ListModels(string registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return !Directory.Exists(registry)
            ? []
            : [.. Directory.EnumerateDirectories(registry).Where(d => Directory.Exists(Path.Combine(d, "versions"))).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
    }

    /// <summary>Lists the versions of a model, oldest first.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <returns>The versions.</returns>
    public static IReadOnlyList<RegistryVersion> ListVersions(string registry, string name)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(name);
        var folder = Path.Combine(registry, name, "versions");
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var aliases = ReadAliases(registry, name);
        return [.. Directory.EnumerateDirectories(folder)
            .Select(d => Path.GetFileName(d)!)
            .Where(v => VersionPattern().IsMatch(v))
            .Order(StringComparer.Ordinal)
            .Select(v => new RegistryVersion(v, Path.Combine(folder, v), Path.Combine(folder, v, name + ModelManifest.FileSuffix), [.. aliases.Where(a => a.Value == v).Select(a => a.Key).Order(StringComparer.Ordinal)])
            {
                Metadata = ReadMetadata(Path.Combine(folder, v)),
            })];
    }

    /// <summary>Reads a model's aliases.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <returns>Alias → version; empty when there is no aliases file.</returns>
    /// <exception cref="ModelFormatException">The aliases file is malformed.</exception>
    public static IReadOnlyDictionary<string, string> ReadAliases(string registry, string name)
    {
        var path = Path.Combine(registry, name, AliasesFile);
        if (!File.Exists(path))
        {
            return new Dictionary<string, string>();
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? [];
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException(path, $"malformed aliases file: {ex.Message}", ex);
        }
    }

    /// <summary>Points an alias at a version (atomically replacing <c>aliases.json</c>).</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="alias">The alias, e.g. <c>champion</c>.</param>
    /// <param name="version">The version.</param>
    /// <remarks>This moves the alias without any rule or record; <see cref="ModelPromotion.Promote"/> applies the promotion rule and records the decision in the history.</remarks>
    /// <exception cref="ArgumentException">The alias is all digits (a version number), or contains '/', '\\' or '@'.</exception>
    /// <exception cref="DirectoryNotFoundException">The version does not exist.</exception>
    public static void SetAlias(string registry, string name, string alias, string version)
    {
        ValidateAlias(alias);
        if (!Directory.Exists(Path.Combine(registry, name, "versions", version)))
        {
            throw new DirectoryNotFoundException($"Model '{name}' has no version {version} in registry '{registry}'.");
        }

        using var gate = RegistryLock.Acquire(registry, name);
        SetAliasLocked(registry, name, alias, version);
    }

    /// <summary>Points an alias at a version; the caller holds the model's lock.</summary>
    internal static void SetAliasLocked(string registry, string name, string alias, string version) =>
        WriteAliases(registry, name, new Dictionary<string, string>(ReadAliases(registry, name)) { [alias] = version });

    /// <summary>Checks that a name can be an alias.</summary>
    /// <param name="alias">The alias.</param>
    /// <exception cref="ArgumentException">The alias is blank, all digits (so <c>2</c> always means version <c>0002</c>), or contains '/', '\\' or '@'.</exception>
    public static void ValidateAlias(string alias)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        if (alias.All(char.IsAsciiDigit) || alias.IndexOfAny(['/', '\\', '@']) >= 0)
        {
            throw new ArgumentException($"'{alias}' cannot be an alias: it is a number (a version) or contains '/', '\\' or '@'.", nameof(alias));
        }
    }

    private static void WriteAliases(string registry, string name, IReadOnlyDictionary<string, string> aliases) =>
        WriteAtomically(
            Path.Combine(registry, name, AliasesFile),
            JsonSerializer.Serialize(new SortedDictionary<string, string>(aliases.ToDictionary(), StringComparer.Ordinal), new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Adds a version: <paramref name="write"/> fills a temporary folder, which is then renamed to the next free <c>versions/NNNN</c>.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="write">Writes the version's files into the folder it is given, for the version it is given.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="IOException">No version number could be claimed.</exception>
    public static string AddVersion(string registry, string name, Action<string, string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var folder = Path.Combine(registry, name, "versions");
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".incoming-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var version = NextVersion(registry, name);
                var staged = Path.Combine(temp, "files");
                if (Directory.Exists(staged))
                {
                    Directory.Delete(staged, recursive: true);
                }

                write(staged, version);
                try
                {
                    Directory.Move(staged, Path.Combine(folder, version));
                    return version;
                }
                catch (IOException) when (Directory.Exists(Path.Combine(folder, version)))
                {
                    // Another run claimed this number first: take the next one.
                }
            }

            throw new IOException($"Could not claim a version number for model '{name}' in '{registry}'.");
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>Returns the next free version number (<c>0001</c> for the first).</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <returns>The version.</returns>
    public static string NextVersion(string registry, string name)
    {
        var last = ListVersions(registry, name).Select(v => int.Parse(v.Version, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
        return (last + 1).ToString("D4", CultureInfo.InvariantCulture);
    }

    /// <summary>Records a training run in <c>DIR/runs/RUN/run.json</c>.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="run">The run; its <see cref="RunRecord.Id"/> names the folder.</param>
    /// <returns>The path of the run file.</returns>
    public static string RecordRun(string registry, RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Id);
        var folder = Path.Combine(registry, "runs", run.Id);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "run.json");
        WriteAtomically(path, JsonSerializer.Serialize(run, ModelManifest.SerializerOptions));
        return path;
    }

    /// <summary>Lists the recorded runs, oldest first.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <returns>The runs.</returns>
    public static IReadOnlyList<RunRecord> ListRuns(string registry)
    {
        var folder = Path.Combine(registry, "runs");
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var runs = new List<RunRecord>();
        foreach (var file in Directory.EnumerateFiles(folder, "run.json", SearchOption.AllDirectories))
        {
            try
            {
                if (JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(file), ModelManifest.SerializerOptions) is { } run)
                {
                    runs.Add(run);
                }
            }
            catch (JsonException)
            {
                // A run file being written by another process: skip it in listings.
            }
        }

        return [.. runs.OrderBy(r => r.StartedAt).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }

    /// <summary>Writes a version's out-of-fold predictions (row key, actual, predicted).</summary>
    /// <param name="folder">The version folder.</param>
    /// <param name="predictions">The predictions.</param>
    public static void WritePredictions(string folder, StoredPredictions predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, PredictionsFile), JsonSerializer.Serialize(predictions, ModelManifest.SerializerOptions));
    }

    /// <summary>Reads a version's out-of-fold predictions.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version.</param>
    /// <returns>The predictions, or <see langword="null"/> when the version has none.</returns>
    public static StoredPredictions? ReadPredictions(string registry, string name, string version)
    {
        var path = Path.Combine(registry, name, "versions", version, PredictionsFile);
        return File.Exists(path) ? JsonSerializer.Deserialize<StoredPredictions>(File.ReadAllText(path), ModelManifest.SerializerOptions) : null;
    }

    /// <summary>Compares two versions on the rows both were evaluated on (matched by row key), with a paired bootstrap of the MAE difference.</summary>
    /// <param name="candidate">The candidate's predictions.</param>
    /// <param name="baseline">The other version's predictions.</param>
    /// <param name="seed">The bootstrap seed.</param>
    /// <returns>The comparison, or <see langword="null"/> when the versions share fewer than 10 rows.</returns>
    public static ComparisonResult? Compare(StoredPredictions candidate, StoredPredictions baseline, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        var other = new Dictionary<string, Queue<double>>(StringComparer.Ordinal);
        for (var i = 0; i < baseline.RowKeys.Count; i++)
        {
            if (!other.TryGetValue(baseline.RowKeys[i], out var queue))
            {
                other[baseline.RowKeys[i]] = queue = new Queue<double>();
            }

            queue.Enqueue(Math.Abs(baseline.Actual[i] - baseline.Predicted[i]));
        }

        var a = new List<double>();
        var b = new List<double>();
        for (var i = 0; i < candidate.RowKeys.Count; i++)
        {
            if (other.TryGetValue(candidate.RowKeys[i], out var queue) && queue.Count > 0)
            {
                a.Add(Math.Abs(candidate.Actual[i] - candidate.Predicted[i]));
                b.Add(queue.Dequeue());
            }
        }

        return a.Count < 10 ? null : PairedBootstrap.Compare(a, b, seed: seed);
    }

    private static void WriteAtomically(string path, string text)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    [GeneratedRegex("^[0-9]{4,}$")]
    private static partial Regex VersionPattern();
}

/// <summary>A version's out-of-fold predictions, stored as <c>predictions.json</c> to compare versions on the same rows.</summary>
public sealed class StoredPredictions
{
    /// <summary>Gets or sets the row keys (see <see cref="ModelTrainer.RowKeys"/>).</summary>
    public IList<string> RowKeys { get; set; } = [];

    /// <summary>Gets or sets the actual targets.</summary>
    public IList<double> Actual { get; set; } = [];

    /// <summary>Gets or sets the out-of-fold predictions.</summary>
    public IList<double> Predicted { get; set; } = [];
}
