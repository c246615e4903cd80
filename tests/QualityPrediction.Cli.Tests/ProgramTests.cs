namespace QualityPrediction.Cli.Tests;

/// <summary>What the tool prints for a command line it cannot run: the reason first, then how to get help.</summary>
public sealed class ProgramTests
{
    [Test]
    public async Task Status_WithNoOptions_PrintsTheReasonFirst()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("status");
        var (_, combined) = await CliRunner.RunCombinedAsync("status");

        Assert.That(code, Is.EqualTo(1));
        Assert.Multiple(() =>
        {
            // Nothing on stdout: a shell, a CI log or a pipe that shows stdout before stderr still shows the reason first.
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr.TrimStart(), Does.StartWith("Give at least one of --model, --registry, --dataset, --feedback-folder or --connection-string-env."));
            Assert.That(stderr, Does.Contain("Usage: quality status [options]").And.Contain("Run 'quality status --help' for the options."));
            // Not the whole help (every option with its description) after the reason either.
            Assert.That(combined, Does.Not.Contain("--min-drift-samples"));
        });
    }

    [Test]
    public async Task MissingArgument_NamesItFirst_ThenTheUsageWithArguments()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("promote", "white");

        Assert.That(code, Is.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr.TrimStart(), Does.StartWith("Required argument 'VERSION' missing"));
            Assert.That(stderr, Does.Contain("Usage: quality promote <NAME> <VERSION> [options]"));
        });
    }

    [Test]
    public async Task UnknownSubcommand_SaysSo_WithTheNearestCommand()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("registry", "lst");

        Assert.That(code, Is.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr, Does.Contain("Unrecognized command or argument 'lst'."));
            Assert.That(stderr, Does.Contain("Did you mean 'list' instead of 'lst'?"));
            Assert.That(stderr, Does.Contain("Usage: quality registry <command>"));
        });
    }

    [Test]
    public async Task Help_StillGoesToStdout()
    {
        var (code, stdout, _) = await CliRunner.RunAsync("status", "--help");

        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("--min-drift-samples"));
    }
}
