using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.MLNet;
using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Internal;

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
            foreach (var row in ReadContexts(parse.GetValue(data)!, features, token))
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
    /// <exception cref="DataFormatException">The JSON is not an object, a field has an empty name, or a value has the wrong kind (the message names <paramref name="where"/>, the field and what is wrong).</exception>
    internal static PredictionContext ParseContext(string json, IList<FeatureSpec> features, string where)
    {
        var record = new RawRecord(where, 1);
        try
        {
            using var document = JsonDocument.Parse(json);
            RecordParsers.FillFromObject(record, document.RootElement);
        }
        catch (JsonException ex)
        {
            record.Error = (BadRow.WholeRow, $"not valid JSON: {RecordParsers.FirstSentence(ex.Message)}");
        }

        return ToContext(record, features);
    }

    /// <summary>Reads a file of contexts (CSV with a header, JSON lines or a JSON array) with the training readers: the same
    /// RFC 4180 CSV, UTF-8 and line-length checks, and every problem named by file, line and field.</summary>
    private static IEnumerable<PredictionContext> ReadContexts(string path, IList<FeatureSpec> features, CancellationToken cancellationToken)
    {
        foreach (var record in RecordParsers.Read(path, NumberFormatInfo.InvariantInfo, DataReadOptions.DefaultMaxLineBytes, cancellationToken))
        {
            if (!record.IsHeader)
            {
                yield return ToContext(record, features);
            }
        }
    }

    private static PredictionContext ToContext(RawRecord record, IList<FeatureSpec> features)
    {
        if (record.Error is { } error)
        {
            throw new DataFormatException(new BadRow(record.File, record.Line, error.Field, error.Problem));
        }

        var context = new PredictionContext();
        foreach (var (name, value) in record.Fields)
        {
            var numeric = IsNumeric(features, name);
            switch (value.Kind)
            {
                case RawKind.Missing:
                    break;
                case RawKind.Number when numeric != false:
                    context.Set(name, value.Number);
                    break;
                case RawKind.Number:
                    context.Set(name, value.Number.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case RawKind.Text when numeric == true:
                    if (!RecordParsers.TryParseNumber(value.Text!, out var number) || !double.IsFinite(number))
                    {
                        throw new DataFormatException(new BadRow(record.File, record.Line, name, $"'{value.Text}' is not a finite number, and the model's feature '{name}' is numeric."));
                    }

                    context.Set(name, number);
                    break;
                case RawKind.Text:
                    context.Set(name, value.Text!);
                    break;
                default:
                    if (numeric is not null)
                    {
                        throw new DataFormatException(new BadRow(record.File, record.Line, name, $"the model's feature '{name}' must be a {(numeric == true ? "number" : "string")}, not {value.Text}."));
                    }

                    break;
            }
        }

        return context;
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
