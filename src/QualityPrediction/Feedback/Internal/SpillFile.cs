using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace QualityPrediction.Feedback.Internal;

/// <summary>
/// The local JSON-lines file that keeps records while the store fails: <c>{"prediction":{…}}</c> or <c>{"outcome":{…}}</c>
/// per line, appended in queue order and fsynced; deleted once every record in it is in the store. Used by one thread.
/// </summary>
internal sealed class SpillFile : IDisposable
{
    private readonly ILogger _logger;
    private FileStream? _stream;

    public SpillFile(string folder, ILogger logger)
    {
        Path = System.IO.Path.Combine(folder, "feedback-spill.jsonl");
        _logger = logger;
        Folder = folder;
        if (File.Exists(Path) && new FileInfo(Path).Length > 0)
        {
            FeedbackLog.SpillFound(logger, Path);
            Backlog = -1;
        }
    }

    public string Path { get; }

    public string Folder { get; }

    /// <summary>Gets the number of records waiting in the file; -1 when a file from an earlier run has not been counted yet.</summary>
    public long Backlog { get; private set; }

    public bool HasPending => Backlog != 0;

    public void Append(IReadOnlyList<PredictionRecord> predictions, IReadOnlyList<OutcomeRecord> outcomes)
    {
        if (_stream is null)
        {
            Directory.CreateDirectory(Folder);
            var (stream, torn) = JsonLinesFile.OpenForAppend(Path);
            if (torn)
            {
                FeedbackLog.TornTail(_logger, Path);
            }

            _stream = stream;
        }

        var items = new List<FeedbackItem>(predictions.Count + outcomes.Count);
        items.AddRange(predictions.Select(p => new FeedbackItem { Prediction = p }));
        items.AddRange(outcomes.Select(o => new FeedbackItem { Outcome = o }));
        var buffer = JsonLinesFile.Serialize(items, WriteItem);
        JsonLinesFile.AppendDurably(_stream, buffer.WrittenSpan);
        if (Backlog >= 0)
        {
            Backlog += items.Count;
        }
    }

    /// <summary>Reads the file in chunks of at most <paramref name="batchSize"/> records.</summary>
    public IEnumerable<(List<PredictionRecord> Predictions, List<OutcomeRecord> Outcomes)> Read(int batchSize)
    {
        if (!File.Exists(Path))
        {
            yield break;
        }

        var predictions = new List<PredictionRecord>();
        var outcomes = new List<OutcomeRecord>();
        foreach (var (line, document) in JsonLinesFile.ReadLines(Path, (line, reason) => FeedbackLog.BadLine(_logger, Path, line, reason)))
        {
            using (document)
            {
                try
                {
                    var root = document.RootElement;
                    if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("prediction", out var prediction))
                    {
                        predictions.Add(FeedbackJson.ReadPrediction(prediction));
                    }
                    else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("outcome", out var outcome))
                    {
                        outcomes.Add(FeedbackJson.ReadOutcome(outcome));
                    }
                    else
                    {
                        FeedbackLog.BadLine(_logger, Path, line, "neither a prediction nor an outcome; the line is skipped");
                    }
                }
                catch (FormatException ex)
                {
                    FeedbackLog.BadLine(_logger, Path, line, ex.Message);
                }
            }

            if (predictions.Count + outcomes.Count >= batchSize)
            {
                yield return (predictions, outcomes);
                predictions = [];
                outcomes = [];
            }
        }

        if (predictions.Count + outcomes.Count > 0)
        {
            yield return (predictions, outcomes);
        }
    }

    /// <summary>Deletes the file once its records are all in the store.</summary>
    public void Clear()
    {
        _stream?.Dispose();
        _stream = null;
        File.Delete(Path);
        Backlog = 0;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }

    private static void WriteItem(Utf8JsonWriter writer, FeedbackItem item)
    {
        writer.WriteStartObject();
        if (item.Prediction is { } prediction)
        {
            writer.WritePropertyName("prediction");
            FeedbackJson.WritePrediction(writer, prediction);
        }
        else if (item.Outcome is { } outcome)
        {
            writer.WritePropertyName("outcome");
            FeedbackJson.WriteOutcome(writer, outcome);
        }

        writer.WriteEndObject();
    }
}
