namespace QualityPrediction.Models.Internal;

/// <summary>
/// Watches one file with a <see cref="FileSystemWatcher"/> on its folder (no polling) and calls back once the
/// changes have settled for the debounce interval: copying a file fires several events, a reload runs once.
/// </summary>
internal sealed class ModelFileWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _timer;
    private readonly string _fileName;
    private readonly TimeSpan _debounce;
    private readonly Action _onChanged;
    private int _disposed;

    public ModelFileWatcher(string path, TimeSpan debounce, TimeProvider timeProvider, Action onChanged)
    {
        _fileName = Path.GetFileName(path);
        _debounce = debounce < TimeSpan.Zero ? TimeSpan.Zero : debounce;
        _onChanged = onChanged;
        _timer = timeProvider.CreateTimer(static state => ((ModelFileWatcher)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
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

    public string FileName => _fileName;

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

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (Matches(e.Name))
        {
            Poke();
        }
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        if (Matches(e.Name) || Matches(e.OldName))
        {
            Poke();
        }
    }

    private void OnError(object sender, ErrorEventArgs e) => Poke();

    private bool Matches(string? name) =>
        name is not null && string.Equals(Path.GetFileName(name), _fileName, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

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
