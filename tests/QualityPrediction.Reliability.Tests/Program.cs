using QualityPrediction.Reliability.Tests.Feedback;

namespace QualityPrediction.Reliability.Tests;

/// <summary>
/// Entry point for the child processes the crash tests start (<c>dotnet QualityPrediction.Reliability.Tests.dll COMMAND …</c>);
/// the test host never calls it.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == FeedbackChild.Command)
        {
            return await FeedbackChild.RunAsync(args[1..]);
        }

        await Console.Error.WriteLineAsync($"usage: {FeedbackChild.Command} FOLDER COUNT");
        return 2;
    }
}
