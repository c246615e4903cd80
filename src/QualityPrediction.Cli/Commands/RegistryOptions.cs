using System.CommandLine;

namespace QualityPrediction.Cli.Commands;

/// <summary>The arguments and options that the registry commands share.</summary>
internal static class RegistryOptions
{
    public static Option<string> Registry() => new("--registry") { Description = "The registry folder.", DefaultValueFactory = _ => "registry" };

    public static Argument<string> Name() => new("NAME") { Description = "The model name." };

    public static Argument<string> Version(string description = "The version: 2 or 0002 (the same), an alias such as champion, or a run id.") => new("VERSION") { Description = description };

    public static Option<string?> Reason() => new("--reason") { Description = "Why (kept in the registry's history with who and when)." };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object on stdout." };
}
