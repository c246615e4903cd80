namespace QualityPrediction.Cli.Commands;

/// <summary>The tool's exit codes (also in <c>docs/training.md</c>).</summary>
internal static class ExitCodes
{
    /// <summary>The command succeeded.</summary>
    public const int Success = 0;

    /// <summary>The command line is invalid (unknown option, missing value); System.CommandLine prints the problem.</summary>
    public const int Usage = 1;

    /// <summary>The input is unusable: a missing file, a bad row under <c>--on-bad-row fail</c>, a malformed manifest or registry.</summary>
    public const int BadInput = 2;

    /// <summary>Training or export failed, e.g. the ONNX file disagreed with the ML.NET model.</summary>
    public const int Failed = 3;

    /// <summary>A promotion was refused (the version is not better than the champion beyond noise), or a registry change would remove the champion or promote an archived or deleted version: use <c>--force</c> where it is offered.</summary>
    public const int Refused = 4;

    /// <summary>The command was cancelled (Ctrl+C); nothing half-written was left behind.</summary>
    public const int Cancelled = 130;
}
