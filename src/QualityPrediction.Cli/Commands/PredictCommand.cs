using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Onnx;

namespace QualityPrediction.Cli.Commands;

/// <summary><c>quality predict</c>: score one context or a file of contexts with a trained model, through either runtime.</summary>
internal static class PredictCommand
{
    private const int BatchRows = 1024;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The NAME.model.json file, or a registry reference DIR/NAME@champion.", Required = true };
        var runtime = new Option<string?>("--runtime") { Description = "mlnet or onnx (default: onnx when its artifact is present, else mlnet)." };
        runtime.AcceptOnlyFromAmong(MLNetModelRuntime.FormatName, OnnxModelRuntime.FormatName);
        var context = new Option<string?>("--context") { Description = "One context as a JSON object, e.g. {\"provider\":\"openai\",\"statValue\":14}." };
        var data = new Option<string?>("--data") { Description = "A file of contexts: JSON lines (.jsonl) or CSV with a header row (.csv)." };
        var json = new Option<bool>("--json") { Description = "Print JSON: one object per context with score, confidence, lower, upper, source, model, version." };
        var strict = new Option<bool>("--strict") { Description = "Refuse a context with a feature the model does not know (exit code 2) instead of warning on stderr." };

        var command = new Command("predict", "Score contexts with a trained model (ML.NET or ONNX runtime).")
        {
            model, runtime, context, data, json, strict,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(context) is null) == (result.GetValue(data) is null))
            {
                result.AddError("Give exactly one of --context and --data.");
            }
        });

        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async token =>
        {
            var stdout = CliHelpers.Out(parse);
            var handling = parse.GetValue(strict) ? UnknownFeatureHandling.Throw : UnknownFeatureHandling.Warn;
            var loaded = await CliModel.LoadAsync(parse.GetValue(model)!, parse.GetValue(runtime), handling, CliHelpers.Err(parse), token).ConfigureAwait(false);
            await using var loadedScope = loaded.ConfigureAwait(false);
            var predictor = loaded.Predictor;
            var status = loaded.Status;
            if (!status.IsLive)
            {
                await CliHelpers.Err(parse).WriteLineAsync($"quality: the model could not be loaded: {status.LastError}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var asJson = parse.GetValue(json);
            var features = status.Manifest!.Features;
            if (parse.GetValue(context) is { } text)
            {
                var result = await predictor.PredictAsync(ParseContext(text, features, "--context"), token).ConfigureAwait(false);
                await stdout.WriteLineAsync(asJson ? ToJson(result, status, indented: true) : ToText(result, status)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var batch = new List<PredictionContext>(BatchRows);
            var results = new QualityPredictionResult[BatchRows];
            foreach (var row in ReadContexts(parse.GetValue(data)!, features))
            {
                batch.Add(row);
                if (batch.Count == BatchRows)
                {
                    await WriteBatchAsync(predictor, batch, results, status, asJson, stdout, token).ConfigureAwait(false);
                }
            }

            await WriteBatchAsync(predictor, batch, results, status, asJson, stdout, token).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Builds a context from a JSON object, typing each value as the manifest's feature says (other names are kept as given).</summary>
    /// <exception cref="ArgumentException">The JSON is not an object, or a value has the wrong kind (the message names the feature and <paramref name="where"/>).</exception>
    internal static PredictionContext ParseContext(string json, IList<FeatureSpec> features, string where)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{where}: not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"{where}: expected a JSON object of features, not {document.RootElement.ValueKind}.");
            }

            var context = new PredictionContext();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var numeric = IsNumeric(features, property.Name);
                var value = property.Value;
                switch (value.ValueKind)
                {
                    case JsonValueKind.Null:
                        break;
                    case JsonValueKind.Number when numeric != false:
                        context.Set(property.Name, value.GetDouble());
                        break;
                    case JsonValueKind.Number:
                        context.Set(property.Name, value.GetRawText());
                        break;
                    case JsonValueKind.String when numeric == true:
                        Set(context, property.Name, value.GetString()!, true, where);
                        break;
                    case JsonValueKind.String:
                        context.Set(property.Name, value.GetString()!);
                        break;
                    default:
                        if (numeric is not null)
                        {
                            throw new ArgumentException($"{where}: feature '{property.Name}' must be a {(numeric == true ? "number" : "string")}, not {value.ValueKind}.");
                        }

                        break;
                }
            }

            return context;
        }
    }

    private static IEnumerable<PredictionContext> ReadContexts(string path, IList<FeatureSpec> features)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }

        return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(path, features) : ReadJsonLines(path, features);
    }

    private static IEnumerable<PredictionContext> ReadJsonLines(string path, IList<FeatureSpec> features)
    {
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return ParseContext(text, features, $"{path} line {line}");
            }
        }
    }

    private static IEnumerable<PredictionContext> ReadCsv(string path, IList<FeatureSpec> features)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new ArgumentException($"{path}: the file is empty; expected a header row.");
        var names = SplitCsv(header);
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var cells = SplitCsv(text);
            if (cells.Count != names.Count)
            {
                throw new ArgumentException($"{path} line {line}: {cells.Count} cells, but the header has {names.Count}.");
            }

            var context = new PredictionContext();
            for (var i = 0; i < names.Count; i++)
            {
                if (cells[i].Length > 0)
                {
                    Set(context, names[i], cells[i], IsNumeric(features, names[i]) ?? double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _), $"{path} line {line}");
                }
            }

            yield return context;
        }
    }

    private static void Set(PredictionContext context, string name, string text, bool numeric, string where)
    {
        if (!numeric)
        {
            context.Set(name, text);
            return;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new ArgumentException($"{where}: feature '{name}' must be a finite number, not '{text}'.");
        }

        context.Set(name, number);
    }

    private static bool? IsNumeric(IList<FeatureSpec> features, string name)
    {
        foreach (var feature in features)
        {
            if (feature.Kind != FeatureEncoding.Cross && string.Equals(feature.Name, name, StringComparison.Ordinal))
            {
                return feature.Kind == FeatureEncoding.Numeric;
            }
        }

        return null;
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString().Trim());
        return cells;
    }

    private static async Task WriteBatchAsync(ModelPredictor predictor, List<PredictionContext> batch, QualityPredictionResult[] results, ModelStatus status, bool asJson, TextWriter output, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        predictor.PredictBatch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch), results, cancellationToken);
        for (var i = 0; i < batch.Count; i++)
        {
            await output.WriteLineAsync(asJson ? ToJson(results[i], status, indented: false) : ToText(results[i], status)).ConfigureAwait(false);
        }

        batch.Clear();
    }

    private static string ToJson(QualityPredictionResult result, ModelStatus status, bool indented) =>
        JsonSerializer.Serialize(
            new
            {
                score = result.Score,
                confidence = result.Confidence,
                lower = result.Interval.Lower,
                upper = result.Interval.Upper,
                coverage = result.Interval.Coverage,
                source = result.Source.ToString().ToLowerInvariant(),
                model = status.Manifest!.Name,
                version = result.ModelVersion,
                runtime = status.Runtime,
            },
            indented ? CliHelpers.Json : CompactJson);

    private static string ToText(QualityPredictionResult result, ModelStatus status) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"score {result.Score:F3}  confidence {result.Confidence:P1}  interval [{result.Interval.Lower:F3}, {result.Interval.Upper:F3}] ({result.Interval.Coverage:P0})  model {status.Manifest!.Name} {result.ModelVersion} ({status.Runtime})");

    private static readonly JsonSerializerOptions CompactJson = new(JsonSerializerDefaults.Web);
}
