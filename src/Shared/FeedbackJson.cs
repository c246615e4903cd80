using System.Globalization;
using System.Text.Json;

namespace QualityPrediction.Feedback;

/// <summary>
/// The JSON form of feedback records, shared by the embedded store, the spill file and the PostgreSQL store:
/// one object per record, camelCase names, features as a flat object of numbers and strings.
/// </summary>
/// <remarks>
/// A prediction: <c>{"id":"…","predictor":"","features":{"provider":"openai","statValue":14},"score":71.5,"confidence":0.8,
/// "source":"model","modelName":"quality","modelVersion":"0003","timestamp":"2026-01-01T00:00:00+00:00","selectionProbability":null}</c>.
/// An outcome: <c>{"id":"…","observed":70,"timestamp":"…"}</c>.
/// </remarks>
internal static class FeedbackJson
{
    /// <summary>Writes a prediction as one JSON object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="record">The record.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void WritePrediction(Utf8JsonWriter writer, PredictionRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(record);
        writer.WriteStartObject();
        writer.WriteString("id", record.PredictionId);
        writer.WriteString("predictor", record.Predictor);
        writer.WritePropertyName("features");
        WriteFeatures(writer, record.Features);
        writer.WriteNumber("score", record.Score);
        writer.WriteNumber("confidence", record.Confidence);
        writer.WriteString("source", SourceName(record.Source));
        WriteOptional(writer, "modelName", record.ModelName);
        WriteOptional(writer, "modelVersion", record.ModelVersion);
        writer.WriteString("timestamp", record.Timestamp);
        if (record.SelectionProbability is { } probability)
        {
            writer.WriteNumber("selectionProbability", probability);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes an outcome as one JSON object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="record">The record.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void WriteOutcome(Utf8JsonWriter writer, OutcomeRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(record);
        writer.WriteStartObject();
        writer.WriteString("id", record.PredictionId);
        writer.WriteNumber("observed", record.Observed);
        writer.WriteString("timestamp", record.Timestamp);
        writer.WriteEndObject();
    }

    /// <summary>Writes features as a flat JSON object (numbers as numbers, categories as strings).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="features">The features.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void WriteFeatures(Utf8JsonWriter writer, IReadOnlyDictionary<string, FeatureValue> features)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(features);
        writer.WriteStartObject();
        foreach (var (name, value) in features)
        {
            if (value.Category is { } category)
            {
                writer.WriteString(name, category);
            }
            else
            {
                writer.WriteNumber(name, value.Number);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Serializes features to a JSON object string.</summary>
    /// <param name="features">The features.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="features"/> is <see langword="null"/>.</exception>
    public static string SerializeFeatures(IReadOnlyDictionary<string, FeatureValue> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteFeatures(writer, features);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads a prediction from a JSON object.</summary>
    /// <param name="element">The object.</param>
    /// <returns>The record.</returns>
    /// <exception cref="FormatException">A required field is missing or has the wrong type; the message names it.</exception>
    public static PredictionRecord ReadPrediction(JsonElement element)
    {
        RequireObject(element, "prediction");
        return new PredictionRecord
        {
            PredictionId = RequireGuid(element, "id"),
            Predictor = OptionalString(element, "predictor") ?? "",
            Features = ReadFeatures(Require(element, "features")),
            Score = RequireNumber(element, "score"),
            Confidence = OptionalNumber(element, "confidence") ?? 0,
            Source = ParseSource(OptionalString(element, "source")),
            ModelName = OptionalString(element, "modelName"),
            ModelVersion = OptionalString(element, "modelVersion"),
            Timestamp = RequireTimestamp(element, "timestamp"),
            SelectionProbability = OptionalNumber(element, "selectionProbability"),
        };
    }

    /// <summary>Reads an outcome from a JSON object.</summary>
    /// <param name="element">The object.</param>
    /// <returns>The record.</returns>
    /// <exception cref="FormatException">A required field is missing or has the wrong type; the message names it.</exception>
    public static OutcomeRecord ReadOutcome(JsonElement element)
    {
        RequireObject(element, "outcome");
        return new OutcomeRecord(RequireGuid(element, "id"), RequireNumber(element, "observed"), RequireTimestamp(element, "timestamp"));
    }

    /// <summary>Reads features from a flat JSON object; <see langword="null"/> values are skipped (missing features).</summary>
    /// <param name="element">The object.</param>
    /// <returns>The features.</returns>
    /// <exception cref="FormatException">The element is not an object, or a value is neither a number nor a string.</exception>
    public static IReadOnlyDictionary<string, FeatureValue> ReadFeatures(JsonElement element)
    {
        RequireObject(element, "features");
        var features = new Dictionary<string, FeatureValue>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Number:
                    var number = property.Value.GetDouble();
                    if (!double.IsFinite(number))
                    {
                        throw new FormatException($"Feature '{property.Name}' is not a finite number.");
                    }

                    features[property.Name] = FeatureValue.Numeric(number);
                    break;
                case JsonValueKind.String:
                    features[property.Name] = FeatureValue.Categorical(property.Value.GetString()!);
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    throw new FormatException($"Feature '{property.Name}' must be a number or a string, not {property.Value.ValueKind}.");
            }
        }

        return features;
    }

    /// <summary>Gets the lowercase name of a source as written in records (<c>model</c>, <c>heuristic</c>, <c>ensemble</c>, <c>default</c>).</summary>
    /// <param name="source">The source.</param>
    /// <returns>The name.</returns>
    public static string SourceName(PredictionSource source) => source switch
    {
        PredictionSource.Model => "model",
        PredictionSource.Heuristic => "heuristic",
        PredictionSource.Ensemble => "ensemble",
        PredictionSource.Default => "default",
        _ => ((int)source).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Parses a source name written by <see cref="SourceName"/> (case-insensitive).</summary>
    /// <param name="name">The name; <see langword="null"/> reads as <see cref="PredictionSource.Default"/>.</param>
    /// <returns>The source.</returns>
    /// <exception cref="FormatException">The name is not a known source.</exception>
    public static PredictionSource ParseSource(string? name) =>
        name is null ? PredictionSource.Default
        : Enum.TryParse<PredictionSource>(name, ignoreCase: true, out var source) && Enum.IsDefined(source) ? source
        : throw new FormatException($"Field 'source' has the unknown value '{name}'.");

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void RequireObject(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"A {what} must be a JSON object, not {element.ValueKind}.");
        }
    }

    private static JsonElement Require(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new FormatException($"Field '{name}' is missing.");

    private static Guid RequireGuid(JsonElement element, string name)
    {
        var value = Require(element, name);
        return value.ValueKind == JsonValueKind.String && value.TryGetGuid(out var id)
            ? id
            : throw new FormatException($"Field '{name}' must be a GUID string.");
    }

    private static double RequireNumber(JsonElement element, string name)
    {
        var value = Require(element, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw new FormatException($"Field '{name}' must be a finite number.");
    }

    private static DateTimeOffset RequireTimestamp(JsonElement element, string name)
    {
        var value = Require(element, name);
        return value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var timestamp)
            ? timestamp
            : throw new FormatException($"Field '{name}' must be an ISO 8601 timestamp string.");
    }

    private static string? OptionalString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"Field '{name}' must be a string.");
    }

    private static double? OptionalNumber(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw new FormatException($"Field '{name}' must be a finite number.");
    }
}
