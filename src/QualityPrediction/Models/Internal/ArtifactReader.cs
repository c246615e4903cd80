using System.Security.Cryptography;

namespace QualityPrediction.Models.Internal;

/// <summary>Resolves an artifact beside its manifest and reads it once, refusing anything suspicious before an engine parses a byte.</summary>
internal static class ArtifactReader
{
    /// <summary>Resolves the artifact's full path, refusing absolute paths, <c>..</c> segments and symbolic links that leave the manifest's folder.</summary>
    /// <exception cref="ModelLoadException">The path escapes the manifest's folder.</exception>
    public static string ResolvePath(string manifestPath, ArtifactInfo artifact)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var file = artifact.File;
        var shown = Path.Combine(directory, file);
        if (Path.IsPathRooted(file) || file.Contains('\0', StringComparison.Ordinal))
        {
            throw new ModelLoadException(file, $"the artifact path in {manifestPath} must be relative to the manifest's folder.", null);
        }

        var segments = file.Split('/', '\\');
        if (segments.Any(s => s == ".."))
        {
            throw new ModelLoadException(shown, "the artifact path escapes the manifest's folder ('..').", null);
        }

        var full = Path.GetFullPath(Path.Combine(directory, file));
        if (!IsInside(full, directory))
        {
            throw new ModelLoadException(shown, "the artifact path escapes the manifest's folder.", null);
        }

        var realDirectory = new DirectoryInfo(directory).LinkTarget is null
            ? directory
            : new DirectoryInfo(directory).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? directory;
        var current = directory;
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].Length == 0 || segments[i] == ".")
            {
                continue;
            }

            current = Path.Combine(current, segments[i]);
            FileSystemInfo info = i == segments.Length - 1 ? new FileInfo(current) : new DirectoryInfo(current);
            if (info.LinkTarget is null)
            {
                continue;
            }

            FileSystemInfo? target;
            try
            {
                target = info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException ex)
            {
                throw new ModelLoadException(full, $"the symbolic link '{current}' cannot be resolved: {ex.Message}", ex);
            }

            var targetPath = target?.FullName;
            if (targetPath is null || (!IsInside(targetPath, directory) && !IsInside(targetPath, realDirectory)))
            {
                throw new ModelLoadException(full, $"the artifact is a symbolic link to '{targetPath ?? info.LinkTarget}', outside the manifest's folder.", null);
            }
        }

        return full;
    }

    /// <summary>Reads the artifact after checking its size against the limit and the manifest, then checks its SHA-256.</summary>
    /// <exception cref="ModelLoadException">The file is missing, too large, of the wrong size, or its hash differs.</exception>
    public static byte[] ReadVerified(string path, ArtifactInfo artifact, long maxBytes, bool verifyHash)
    {
        if (verifyHash && string.IsNullOrWhiteSpace(artifact.Sha256))
        {
            throw new ModelLoadException(path, "the manifest gives no SHA-256 for this artifact, and hash verification is on.", null);
        }

        var size = FileChecks.RequireRegularFile(path, "artifact", maxBytes, "ModelOptions.MaxArtifactBytes");
        if (size != artifact.Bytes)
        {
            throw new ModelLoadException(path, $"the artifact is {size} bytes but the manifest says {artifact.Bytes}: truncated or replaced (or not yet fully copied).", null);
        }

        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            var length = stream.Length;
            if (length > maxBytes)
            {
                throw new ModelLoadException(path, $"the artifact is {length} bytes, above the limit of {maxBytes} bytes (ModelOptions.MaxArtifactBytes).", null);
            }

            if (length != artifact.Bytes)
            {
                throw new ModelLoadException(path, $"the artifact is {length} bytes but the manifest says {artifact.Bytes}: truncated or replaced (or not yet fully copied).", null);
            }

            if (length > Array.MaxLength)
            {
                throw new ModelLoadException(path, $"the artifact is {length} bytes, too large to load in memory.", null);
            }

            bytes = new byte[length];
            stream.ReadExactly(bytes);
            if (stream.ReadByte() != -1)
            {
                throw new ModelLoadException(path, "the artifact grew while it was being read.", null);
            }
        }
        catch (FileNotFoundException ex)
        {
            throw new ModelLoadException(path, "the artifact file does not exist.", ex);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new ModelLoadException(path, "the artifact's folder does not exist.", ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new ModelLoadException(path, "the artifact shrank while it was being read.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(path, $"the artifact cannot be read: {ex.Message}", ex);
        }

        if (verifyHash)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(actual, artifact.Sha256.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelLoadException(path, $"SHA-256 mismatch: the file hashes to {actual}, the manifest says {artifact.Sha256}.", null);
            }
        }

        return bytes;
    }

    private static bool IsInside(string path, string directory)
    {
        var prefix = directory.EndsWith(Path.DirectorySeparatorChar) ? directory : directory + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }
}
