using System.Diagnostics;
using System.Text.RegularExpressions;

namespace QualityPrediction.WebApi.Tests;

/// <summary>Runs the built console sample (samples/QualityPrediction.Sample) to the end, as the README's main command does.</summary>
[TestFixture]
public sealed partial class ConsoleSampleTests
{
    [Test]
    public async Task The_console_sample_plays_a_whole_session_and_exits_by_itself()
    {
        var folder = WebApiProcess.AppFolder.Replace("QualityPrediction.WebApi", "QualityPrediction.Sample", StringComparison.Ordinal);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(folder, "QualityPrediction.Sample.dll"));
        using var process = Process.Start(start)!;
        process.StandardInput.Close(); // no input: the sample must not wait for any
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The console sample did not finish within 60 s.");
        }

        var text = await output;
        Assert.That(process.ExitCode, Is.Zero, text + await error);
        var lines = text.Split('\n');
        var greedy = lines.Single(l => l.StartsWith("greedy ", StringComparison.Ordinal));
        var exploring = lines.Single(l => l.StartsWith("thompson", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            // The walk-through: six predictions with their source, all answered by the ONNX model shipped with the sample,
            // and the ensemble's members (the model Ok, the heuristic fallback not needed).
            var table = lines.Where(l => PredictionLine().IsMatch(l)).ToArray();
            Assert.That(table, Has.Length.EqualTo(6));
            Assert.That(table, Has.All.Contains(" Model "));
            Assert.That(lines.Count(l => MemberLine().IsMatch(l)), Is.EqualTo(2));
            Assert.That(text, Does.Contain("narration    Ok"));
            Assert.That(text, Does.Contain("gpt-5-preview (unseen model)").And.Contain("nova-1 (unseen provider)"));
            Assert.That(text, Does.Contain("Game session: 20 turns"));
            Assert.That(lines.Count(l => TurnLine().IsMatch(l)), Is.EqualTo(20));
            Assert.That(lines.Count(l => l.Contains("[monitor] version", StringComparison.Ordinal)), Is.EqualTo(5));
            Assert.That(lines.Count(l => l.Contains("[refit on 442 + ", StringComparison.Ordinal)), Is.EqualTo(4));
            // Greedy never leaves its first belief; the exploring policy tries the unseen model.
            Assert.That(greedy, Does.Contain("chose anthropic/claude-sonnet-4 ×20;"));
            Assert.That(exploring, Does.Match(@"openai/gpt-5-preview ×\d+"));
        });
    }

    [GeneratedRegex(@"\d+ % \((Calibrated|Configured|None)\)")]
    private static partial Regex PredictionLine();

    [GeneratedRegex(@"^  (narration|heuristic)\s+(Ok|Skipped|NotLoaded|Failed|TimedOut|CircuitOpen)\s")]
    private static partial Regex MemberLine();

    [GeneratedRegex(@"^\s+\d+ \S+\s+\S+\s+\S+/\S+\s+[01]\.\d\d ")]
    private static partial Regex TurnLine();
}
