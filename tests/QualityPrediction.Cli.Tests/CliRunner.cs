using System.Globalization;
using System.Text;

namespace QualityPrediction.Cli.Tests;

/// <summary>Runs the <c>quality</c> tool in-process and captures its output.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Out, string Err)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await Program.RunAsync(args, output, error, cancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    public static Task<(int ExitCode, string Out, string Err)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs the tool with stdout and stderr going to one writer, as a terminal shows them: the order of what is printed can be asserted.</summary>
    public static async Task<(int ExitCode, string Output)> RunCombinedAsync(params string[] args)
    {
        using var both = new StringWriter(CultureInfo.InvariantCulture);
        var code = await Program.RunAsync(args, both, both);
        return (code, both.ToString());
    }

    /// <summary>Writes a CSV where quality = 2 + a − 0.5·b + noise, with a categorical column.</summary>
    public static string WriteCsv(string folder, string name, int rows, int seed = 1, string? extraLine = null)
    {
        var random = new Random(seed);
        var text = new StringBuilder("a,b,kind,quality\n");
        for (var i = 0; i < rows; i++)
        {
            var a = random.NextDouble() * 4;
            var b = random.NextDouble() * 4;
            var kind = i % 2 == 0 ? "x" : "y";
            var y = 2 + a - (0.5 * b) + (kind == "x" ? 0.5 : 0) + ((random.NextDouble() - 0.5) * 0.2);
            text.Append(CultureInfo.InvariantCulture, $"{a:R},{b:R},{kind},{y:R}\n");
        }

        if (extraLine is not null)
        {
            text.Append(extraLine).Append('\n');
        }

        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
