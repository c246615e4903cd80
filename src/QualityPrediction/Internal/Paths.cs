namespace QualityPrediction.Internal;

/// <summary>Resolves configured paths: relative paths are relative to the application's base directory.</summary>
internal static class Paths
{
    public static string Resolve(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
}
