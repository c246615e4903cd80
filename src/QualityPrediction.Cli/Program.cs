using QualityPrediction.Internal;
using System.CommandLine;
using System.CommandLine.Parsing;
using QualityPrediction.Cli.Commands;
using QualityPrediction.Training.Internal;

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
        var parse = CreateRootCommand().Parse(args);
        return parse.Errors.Count > 0
            ? ReportUsageErrorAsync(parse, configuration.Error)
            : parse.InvokeAsync(configuration, cancellationToken);
    }

    /// <summary>
    /// For a command line that cannot run: the reason first (each parse error, with the nearest command or option for
    /// an unknown word), then the command's usage line and where its help is; all on stderr, nothing on stdout.
    /// (System.CommandLine's default prints the command's whole help on stdout as well.)
    /// </summary>
    private static async Task<int> ReportUsageErrorAsync(ParseResult parse, TextWriter error)
    {
        var command = parse.CommandResult.Command;
        var known = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name))
            .Concat(command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)))
            .ToList();
        foreach (var parseError in parse.Errors)
        {
            await error.WriteLineAsync(parseError.Message).ConfigureAwait(false);
        }

        foreach (var token in parse.UnmatchedTokens.Distinct(StringComparer.Ordinal))
        {
            if (NameSuggestions.Find(token, known) is { Count: > 0 } near)
            {
                await error.WriteLineAsync($"Did you mean {string.Join(" or ", near.Select(n => $"'{n}'"))} instead of '{token}'?").ConfigureAwait(false);
            }
        }

        var path = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            path.Insert(0, result.Command is RootCommand ? "quality" : result.Command.Name);
        }

        var usage = string.Join(' ', path)
            + string.Concat(command.Arguments.Where(a => !a.Hidden).Select(a => $" <{a.Name}>"))
            + (command.Subcommands.Count > 0 ? " <command>" : "")
            + (command.Options.Count > 0 ? " [options]" : "");
        await error.WriteLineAsync().ConfigureAwait(false);
        await error.WriteLineAsync($"Usage: {usage}").ConfigureAwait(false);
        await error.WriteLineAsync($"Run '{string.Join(' ', path)} --help' for the options.").ConfigureAwait(false);
        return ExitCodes.Usage;
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
