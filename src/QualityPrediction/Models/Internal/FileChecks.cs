namespace QualityPrediction.Models.Internal;

/// <summary>Checks a model file before anything opens it, so that a pipe, a device or a folder never blocks or confuses a load.</summary>
internal static class FileChecks
{
    /// <summary>Returns the file's length after refusing a missing path, a folder, an empty file (pipes and devices report 0 bytes) and a file above <paramref name="maxBytes"/>.</summary>
    /// <exception cref="ModelLoadException">The path is not a readable regular file of an acceptable size; the message names it and says why.</exception>
    public static long RequireRegularFile(string path, string what, long maxBytes, string limitName)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target)
            {
                info = target; // A symbolic link's own size is its target path's length: check what it points to.
            }

            if (Directory.Exists(path))
            {
                throw new ModelLoadException(path, $"the {what} is a folder, not a file.", null);
            }

            if (!info.Exists)
            {
                var folder = Path.GetDirectoryName(path);
                throw new ModelLoadException(path, folder is not null && !Directory.Exists(folder)
                    ? $"the {what}'s folder '{folder}' does not exist."
                    : $"the {what} does not exist.", new FileNotFoundException(null, path));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelLoadException(path, $"the {what} cannot be examined: {ex.Message}", ex);
        }

        var length = info.Length;
        if (length == 0)
        {
            throw new ModelLoadException(path, $"the {what} is empty, or not a regular file (a pipe or a device); it is not opened.", null);
        }

        if (length > maxBytes)
        {
            throw new ModelLoadException(path, $"the {what} is {length} bytes, above the limit of {maxBytes} bytes ({limitName}).", null);
        }

        return length;
    }
}
