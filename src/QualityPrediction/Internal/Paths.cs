using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace QualityPrediction.Internal;

/// <summary>
/// Resolves configured paths: a relative path is relative to the host's content root (<see cref="IHostEnvironment.ContentRootPath"/>)
/// when there is a host, and to the current directory otherwise, as <see cref="File"/> APIs do.
/// </summary>
internal static class Paths
{
    /// <summary>Returns the folder relative paths are resolved against.</summary>
    public static string BaseDirectory(IServiceProvider? services) =>
        services?.GetService<IHostEnvironment>()?.ContentRootPath is { Length: > 0 } root ? root : Directory.GetCurrentDirectory();

    public static string Resolve(string path, IServiceProvider? services) => Path.GetFullPath(path, BaseDirectory(services));

    /// <summary>Says what relative paths are resolved against, for "not found" messages.</summary>
    public static string Explain(IServiceProvider? services) =>
        services?.GetService<IHostEnvironment>()?.ContentRootPath is { Length: > 0 } root
            ? $"Relative paths are resolved against the host's content root ({root})."
            : $"Relative paths are resolved against the current directory ({Directory.GetCurrentDirectory()}).";
}
