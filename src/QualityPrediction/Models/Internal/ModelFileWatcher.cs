namespace QualityPrediction.Models.Internal;

/// <summary>
/// Watches one folder with a <see cref="FileSystemWatcher"/> (no polling) and calls back once its changes (to any entry:
/// the manifest, an artifact, a symbolic link swapped to a new folder, a subfolder created) have settled for the
/// debounce interval: copying a version fires many events, a reload runs once.
/// </summary>
internal sealed class ModelFileWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _timer;
    private readonly TimeSpan _debounce;
    private readonly Action _onChanged;
    private int _disposed;

    public ModelFileWatcher(string folder, TimeSpan debounce, TimeProvider timeProvider, Action onChanged)
    {
        _debounce = debounce < TimeSpan.Zero ? TimeSpan.Zero : debounce;
        _onChanged = onChanged;
        _timer = timeProvider.CreateTimer(static state => ((ModelFileWatcher)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            _watcher = new FileSystemWatcher(folder)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += OnEvent;
            _watcher.Created += OnEvent;
            _watcher.Deleted += OnEvent;
            _watcher.Renamed += OnRenamed;
            _watcher.Error += OnError;
            _watcher.EnableRaisingEvents = true;
        }
        catch
        {
            _timer.Dispose();
            _watcher?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        _timer.Dispose();
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => Poke();

    private void OnRenamed(object sender, RenamedEventArgs e) => Poke();

    private void OnError(object sender, ErrorEventArgs e) => Poke();

    private void Poke()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposed concurrently: nothing to reload.
            }
        }
    }

    private void Fire()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _onChanged();
        }
    }
}
