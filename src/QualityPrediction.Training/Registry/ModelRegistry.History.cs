using System.Globalization;
using System.Text.Json;
using QualityPrediction.Models;
using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Registry;

/// <summary>The history of a model's registry changes: <c>NAME/history/NNNNNN-TIME.json</c>, one file per change, numbered in order, never rewritten.</summary>
public static partial class ModelRegistry
{
    /// <summary>The folder, under the model's, that holds its history.</summary>
    public const string HistoryFolder = "history";

    /// <summary>Records a change in the model's history (<see cref="RegistryHistoryEntry.Model"/>), stamped with <paramref name="change"/>.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="entry">The entry; its <see cref="RegistryHistoryEntry.At"/>, <see cref="RegistryHistoryEntry.By"/> and <see cref="RegistryHistoryEntry.Reason"/> are set from <paramref name="change"/>.</param>
    /// <param name="change">Who, when and why.</param>
    /// <returns>The path of the entry's file.</returns>
    public static string AppendHistory(string registry, RegistryHistoryEntry entry, RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Model);
        using var gate = RegistryLock.Acquire(registry, entry.Model);
        return AppendHistoryLocked(registry, entry, change);
    }

    /// <summary>Records a change; the caller holds the model's lock.</summary>
    internal static string AppendHistoryLocked(string registry, RegistryHistoryEntry entry, RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Model);
        entry.At = change.At;
        entry.By = change.By;
        entry.Reason ??= change.Reason;
        var folder = Path.Combine(registry, entry.Model, HistoryFolder);
        Directory.CreateDirectory(folder);

        // Named by a sequence number (the order of the changes, whatever the clocks say), then the time. The file is
        // moved into place without overwriting, so a writer that did not hold the lock takes the next number instead
        // of replacing an entry.
        var json = JsonSerializer.Serialize(entry, ModelManifest.SerializerOptions);
        var temp = Path.Combine(folder, $".{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, json);
        try
        {
            for (var sequence = LastSequence(folder) + 1; ; sequence++)
            {
                var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{sequence:D6}-{change.At.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.json"));
                try
                {
                    File.Move(temp, path, overwrite: false);
                    return path;
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Taken by another writer: the next number.
                }
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static long LastSequence(string folder) =>
        Directory.EnumerateFiles(folder, "*.json")
            .Select(f => Path.GetFileName(f).Split('-')[0])
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .DefaultIfEmpty(0)
            .Max();

    /// <summary>Reads a model's history, oldest first.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <returns>The entries; empty when the model has none.</returns>
    /// <exception cref="ModelFormatException">An entry is malformed (named with its file).</exception>
    public static IReadOnlyList<RegistryHistoryEntry> ReadHistory(string registry, string name)
    {
        var folder = Path.Combine(registry, name, HistoryFolder);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var entries = new List<(string File, RegistryHistoryEntry Entry)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<RegistryHistoryEntry>(File.ReadAllText(file), ModelManifest.SerializerOptions) is { } entry)
                {
                    entries.Add((Path.GetFileName(file), entry));
                }
            }
            catch (JsonException ex)
            {
                throw new ModelFormatException(file, $"malformed registry history entry: {ex.Message}", ex);
            }
        }

        return [.. entries.OrderBy(e => e.File.Length).ThenBy(e => e.File, StringComparer.Ordinal).Select(e => e.Entry)];
    }
}
