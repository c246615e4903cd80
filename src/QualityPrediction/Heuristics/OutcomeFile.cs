using System.Globalization;
using System.Text.Json;

namespace QualityPrediction.Heuristics;

/// <summary>
/// A small reader of outcome files for fitting a heuristic at start. The full readers (CSV, databases, schemas)
/// live in the <c>QualityPrediction.Training</c> package.
/// </summary>
public static class OutcomeFile
{
    /// <summary>
    /// Reads JSON lines of flat records: numbers become numeric features, strings categorical ones, booleans the
    /// categories <c>true</c>/<c>false</c>; <see langword="null"/> or missing values are skipped; blank lines are ignored.
    /// </summary>
    /// <param name="path">The file path.</param>
    /// <param name="targetColumn">The field holding the observed quality (a number on every line); it is not a feature.</param>
    /// <returns>One context and one target per record.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> or <paramref name="targetColumn"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line is not a flat JSON object or lacks a numeric target; the message reads <c>path:line: field: problem</c>.</exception>
    public static (IReadOnlyList<PredictionContext> Contexts, IReadOnlyList<double> Targets) ReadJsonLines(string path, string targetColumn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetColumn);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The outcomes file '{path}' does not exist.", path);
        }

        var contexts = new List<PredictionContext>();
        var targets = new List<double>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw Bad(path, lineNumber, "(line)", $"not valid JSON ({ex.Message})");
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw Bad(path, lineNumber, "(line)", $"expected a JSON object, found {document.RootElement.ValueKind}");
                }

                var context = new PredictionContext();
                double? target = null;
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    var name = property.Name;
                    var value = property.Value;
                    if (string.Equals(name, targetColumn, StringComparison.Ordinal))
                    {
                        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
                        {
                            target = number;
                            continue;
                        }

                        throw Bad(path, lineNumber, name, $"the target must be a finite number, found {Describe(value)}");
                    }

                    if (string.IsNullOrWhiteSpace(name))
                    {
                        throw Bad(path, lineNumber, "(name)", "a field has an empty name");
                    }

                    switch (value.ValueKind)
                    {
                        case JsonValueKind.Null:
                            break;
                        case JsonValueKind.Number:
                            if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
                            {
                                throw Bad(path, lineNumber, name, $"the number {value.GetRawText()} is out of range");
                            }

                            context.Set(name, number);
                            break;
                        case JsonValueKind.String:
                            context.Set(name, value.GetString()!);
                            break;
                        case JsonValueKind.True:
                        case JsonValueKind.False:
                            context.Set(name, value.ValueKind == JsonValueKind.True ? "true" : "false");
                            break;
                        default:
                            throw Bad(path, lineNumber, name, $"expected a number, string, boolean or null, found {Describe(value)}");
                    }
                }

                if (target is null)
                {
                    throw Bad(path, lineNumber, targetColumn, "the target field is missing");
                }

                contexts.Add(context);
                targets.Add(target.Value);
            }
        }

        return (contexts, targets);
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        _ => value.GetRawText(),
    };

    private static FormatException Bad(string path, int line, string field, string problem) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path}:{line}: {field}: {problem}."));
}
