using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using QualityPrediction.Feedback.Internal;

namespace QualityPrediction.Feedback;

/// <summary>Collection marks and retention of the embedded store.</summary>
public sealed partial class JsonLinesFeedbackStore
{
    private const string CollectedFolder = "collected";

    /// <inheritdoc />
    /// <remarks>Writes <c>collected/HASH.json</c> in the folder (the consumer's name and the position). Retention deletes
    /// only files that every recorded consumer has collected: delete a consumer's file there when the dataset is gone,
    /// or it holds the store's files forever.</remarks>
    /// <exception cref="FormatException"><paramref name="position"/> is not a position of this store.</exception>
    /// <exception cref="IOException">The mark cannot be written.</exception>
    public ValueTask RecordCollectedAsync(string consumer, string position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumer);
        ArgumentNullException.ThrowIfNull(position);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _ = StorePosition.Parse(position, nameof(position));
        var folder = Path.Combine(_options.Folder, CollectedFolder);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(consumer)))[..16] + ".json");
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("consumer", consumer);
                writer.WriteString("at", _timeProvider.GetUtcNow());
                writer.WritePropertyName("position");
                using (var document = JsonDocument.Parse(position))
                {
                    document.RootElement.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Deletes the closed files that retention allows: older than <see cref="JsonLinesFeedbackStoreOptions.MaxAge"/>
    /// (since their last write), then, oldest first, while the folder is above
    /// <see cref="JsonLinesFeedbackStoreOptions.MaxTotalBytes"/> — never a file some recorded consumer has not collected,
    /// nor one a live writer may still append to. A writing store runs it after each rotation.
    /// </summary>
    /// <returns>The files deleted.</returns>
    /// <exception cref="IOException">The folder cannot be read.</exception>
    public IReadOnlyList<string> ApplyRetention()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var deleted = new List<string>();
        if (_options.MaxAge is null && _options.MaxTotalBytes is null)
        {
            return deleted;
        }

        var files = StoreFile.List(_options.Folder);
        var marks = ReadMarks();
        var total = files.Sum(f => new FileInfo(f.Path).Length);
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        var candidates = files
            .Select(f => (File: f, Info: new FileInfo(f.Path)))
            .Where(c => c.Info.Exists)
            .OrderBy(c => c.Info.LastWriteTimeUtc)
            .ToList();
        var blocked = 0L;
        foreach (var (file, info) in candidates)
        {
            var tooOld = _options.MaxAge is { } age && info.LastWriteTimeUtc < now - age;
            var tooBig = _options.MaxTotalBytes is { } max && total > max;
            if (!tooOld && !tooBig)
            {
                continue;
            }

            var length = info.Length;
            if (marks.Count == 0 || marks.Any(m => m[file.Name] < length) || MayGrow(file, files))
            {
                blocked += length;
                continue;
            }

            try
            {
                File.Delete(file.Path);
                deleted.Add(file.Path);
                total -= length;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                FeedbackLog.RetentionFailed(_logger, ex, file.Path);
            }
        }

        if (deleted.Count > 0)
        {
            FeedbackLog.FilesRetired(_logger, deleted.Count, _options.Folder);
        }

        if (_options.MaxTotalBytes is { } limit && total > limit && blocked > 0)
        {
            FeedbackLog.RetentionBlocked(_logger, _options.Folder, total, limit, marks.Count);
        }

        return deleted;
    }

    private void TryApplyRetention()
    {
        try
        {
            ApplyRetention();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FeedbackLog.RetentionFailed(_logger, ex, _options.Folder);
        }
    }

    /// <summary>The positions recorded by the consumers (an unreadable mark counts as having collected nothing).</summary>
    private List<StorePosition> ReadMarks()
    {
        var marks = new List<StorePosition>();
        var folder = Path.Combine(_options.Folder, CollectedFolder);
        if (!Directory.Exists(folder))
        {
            return marks;
        }

        foreach (var path in Directory.EnumerateFiles(folder, "*.json"))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(path));
                marks.Add(StorePosition.Parse(document.RootElement.GetProperty("position").GetRawText(), path));
            }
            catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or IOException)
            {
                marks.Add(StorePosition.Empty);
            }
        }

        return marks;
    }
}
