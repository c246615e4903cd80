using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QualityPrediction.Models;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Evaluation;
using QualityPrediction.Training.Export;

namespace QualityPrediction.Cli.Commands;

/// <summary>Shared parsing, output and error handling of the commands.</summary>
internal static class CliHelpers
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static TextWriter Out(ParseResult result) => result.InvocationConfiguration.Output;

    public static TextWriter Err(ParseResult result) => result.InvocationConfiguration.Error;

    /// <summary>Splits comma-separated values, accepting the option repeated too.</summary>
    public static List<string> SplitList(IEnumerable<string>? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    /// <summary>Parses <c>T[,T…]</c>.</summary>
    /// <exception cref="ArgumentException">A value is not a positive number.</exception>
    public static List<double> ParseTolerances(IEnumerable<string>? values)
    {
        var result = new List<double>();
        foreach (var text in SplitList(values))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) || !double.IsFinite(t) || t <= 0)
            {
                throw new ArgumentException($"--tolerance: '{text}' is not a positive number.");
            }

            result.Add(t);
        }

        return result;
    }

    public static Dictionary<string, double> Within(RegressionMetrics m) => m.AccuracyWithin.ToDictionary(p => p.Key, p => p.Value);

    public static object Summary(RegressionMetrics m) => new { rows = m.Rows, mae = m.Mae, rmse = m.Rmse, r2 = m.R2, accuracyWithin = Within(m) };

    /// <summary>Runs a command body, mapping known failures to a message on stderr and an exit code.</summary>
    public static async Task<int> Guard(ParseResult parse, CancellationToken cancellationToken, Func<CancellationToken, Task<int>> body)
    {
        var error = Err(parse);
        try
        {
            return await body(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("quality: cancelled; nothing was written.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (Exception ex) when (ex is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ModelFormatException or JsonException)
        {
            await error.WriteLineAsync($"quality: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (QualityPrediction.Training.Registry.RegistryRefusedException ex)
        {
            await error.WriteLineAsync($"quality: refused: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Refused;
        }
        catch (OnnxExportException ex)
        {
            await error.WriteLineAsync($"quality: export refused: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"quality: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"quality: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }
}
