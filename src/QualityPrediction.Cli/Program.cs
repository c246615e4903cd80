using System.CommandLine;
using QualityPrediction.Cli.Commands;

namespace QualityPrediction.Cli;

/// <summary>The <c>quality</c> command-line tool. Exit codes are listed in <see cref="ExitCodes"/>.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Runs the tool in-process (used by the tests): parses <paramref name="args"/> and invokes the command.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Receives standard output.</param>
    /// <param name="error">Receives standard error.</param>
    /// <param name="cancellationToken">Cancels the command, as Ctrl+C does.</param>
    /// <returns>The exit code.</returns>
    internal static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        // On Ctrl+C the token is cancelled; training stops after the fits in flight (a few seconds), so give it time
        // to clean its staging folder rather than being killed after System.CommandLine's default 2 seconds.
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
        return CreateRootCommand().Parse(args).InvokeAsync(configuration, cancellationToken);
    }

    /// <summary>Builds the command tree. To add a command: write a static class under <c>Commands/</c> with
    /// <c>public static Command Create()</c> whose action writes to <c>parseResult.InvocationConfiguration.Output</c>
    /// and <c>.Error</c> and returns an <see cref="ExitCodes"/> value, then add ONE line below.</summary>
    /// <returns>The root command.</returns>
    internal static RootCommand CreateRootCommand() => new("quality: train, evaluate and manage models that predict the quality of AI-generated content.")
    {
        TrainCommand.Create(),
        EvaluateCommand.Create(),
        RegistryCommand.Create(),
        PromoteCommand.Create(),
        PredictCommand.Create(),
        StatusCommand.Create(),
        CollectCommand.Create(),
        MigrateCommand.Create(),
        IterateCommand.Create(),
    };
}
