namespace QualityPrediction.Training.Internal;

/// <summary>
/// An exclusive lock on one model of a registry (<c>NAME/.lock</c>, opened with <see cref="FileShare.None"/>, which is an
/// advisory lock between processes on Unix and a mandatory one on Windows), held while aliases or version metadata are
/// read, checked and rewritten, so that two commands never both act on the state before the other's change.
/// </summary>
internal sealed class RegistryLock : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FileStream _stream;

    private RegistryLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock of <paramref name="registry"/>/<paramref name="name"/>, waiting up to 30 s for another holder.</summary>
    /// <exception cref="IOException">Another process held the lock for 30 s.</exception>
    public static RegistryLock Acquire(string registry, string name)
    {
        var folder = Path.Combine(registry, name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, ".lock");
        var deadline = Environment.TickCount64 + (long)Wait.TotalMilliseconds;
        while (true)
        {
            try
            {
                return new RegistryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(20);
            }
            catch (IOException ex)
            {
                throw new IOException($"Model '{name}' in registry '{registry}' is locked by another command ({path}) for more than {Wait.TotalSeconds:0} s.", ex);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
