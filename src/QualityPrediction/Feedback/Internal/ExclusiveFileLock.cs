namespace QualityPrediction.Feedback.Internal;

/// <summary>
/// An exclusive, advisory lock held by a process on a lock file for as long as the handle is open (on Unix .NET takes
/// <c>flock(LOCK_EX)</c> for <see cref="FileShare.None"/>; on Windows the share mode excludes other openers). The
/// operating system releases it when the process dies, so a lock that can be taken belongs to nobody alive.
/// </summary>
internal sealed class ExclusiveFileLock : IDisposable
{
    private readonly FileStream _stream;

    private ExclusiveFileLock(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    /// <summary>Takes the lock, creating the file when missing; <see langword="null"/> when another process (or handle) holds it.</summary>
    /// <exception cref="IOException">The file cannot be created or opened for another reason.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file is not writable.</exception>
    public static ExclusiveFileLock? TryAcquire(string path)
    {
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
            return new ExclusiveFileLock(path, stream);
        }
        catch (IOException) when (File.Exists(path) && IsHeld(path))
        {
            return null;
        }
    }

    /// <summary>Releases the lock and deletes the lock file (a file that is no longer needed).</summary>
    public void Delete()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Best effort: an unlocked lock file is harmless.
        }
        finally
        {
            _stream.Dispose();
        }
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Whether the file at <paramref name="path"/> is locked (a second exclusive open fails for a sharing reason).</summary>
    private static bool IsHeld(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1, FileOptions.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
