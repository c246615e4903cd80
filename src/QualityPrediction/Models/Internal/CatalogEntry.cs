using Microsoft.Extensions.Logging;
using QualityPrediction.Internal;

namespace QualityPrediction.Models.Internal;

/// <summary>
/// One configured model in the catalog: owns its loads (one at a time, each bounded by <see cref="ModelOptions.LoadTimeout"/>),
/// its folder watcher, its retries after a failed load, the live version and the status.
/// </summary>
/// <remarks>
/// The watcher watches the manifest's folder (or, while that folder does not exist, its nearest existing ancestor) and
/// reacts to any change in it: the artifacts change there too, and a deploy that swaps a symbolic link to a new folder
/// (the Kubernetes ConfigMap <c>..data</c> pattern) renames an entry of that folder. A reload whose files have not
/// changed since the live version was loaded is skipped. After a failed load, retries run with back-off (1 s doubling
/// to <see cref="ModelOptions.RetryMaxDelay"/>) until a load succeeds or the next change.
/// </remarks>
internal sealed class CatalogEntry : IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    private readonly ModelOptions _options;
    private readonly ModelReference _reference;
    private readonly ModelLoader _loader;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ModelMetrics? _metrics;
    private readonly Action<ModelStatus> _changed;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly object _gate = new();
    private readonly ITimer _retryTimer;
    private ModelFileWatcher? _watcher;
    private string? _watchedFolder;
    private LoadedModel? _current;
    private string? _currentFingerprint;
    private ModelStatus _status;
    private TimeSpan _retryDelay;
    private Task? _firstLoad;
    private int _disposed;

    public CatalogEntry(ModelOptions options, IModelRuntime[] runtimes, string baseDirectory, TimeProvider timeProvider, ILogger logger, ModelMetrics? metrics, Action<ModelStatus> changed)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _changed = changed;
        Name = options.Name;
        _reference = ModelReference.Parse(options.Path, baseDirectory);
        var engine = new ModelRuntimeOptions
        {
            IntraOpThreads = options.Engine?.IntraOpThreads ?? 1,
            BatchIntraOpThreads = options.Engine?.BatchIntraOpThreads ?? 0,
            AllowSpinning = options.Engine?.AllowSpinning ?? false,
        };
        Guard = new UnknownFeatureGuard(Name, options.UnknownFeatures, logger, metrics);
        _loader = new ModelLoader(Name, _reference, options, runtimes, engine, Guard, logger);
        _status = new ModelStatus { Name = Name, State = ModelLoadState.NotLoaded, Path = options.Path, ResolvedPath = _reference.Path };
        _retryTimer = timeProvider.CreateTimer(static s => ((CatalogEntry)s!).Kick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Name { get; }

    public UnknownFeatureGuard Guard { get; }

    public ModelStatus Status => Volatile.Read(ref _status);

    public LoadedModel? Current => Volatile.Read(ref _current);

    /// <summary>Gets the first load (started by <see cref="Start"/>), to wait for it.</summary>
    public Task FirstLoad => Volatile.Read(ref _firstLoad) ?? Task.CompletedTask;

    /// <summary>Starts watching and the first load, once; later calls do nothing.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_firstLoad is not null || _disposed != 0)
            {
                return;
            }

            if (_options.WatchForChanges)
            {
                Rewatch();
            }

            _firstLoad = Task.Run(() => LoadQuietlyAsync(force: true));
        }
    }

    /// <summary>Reads the manifest the configured path points to now (for options that adopt the model's range before it is loaded); <see langword="null"/> when it cannot be read.</summary>
    public ModelManifest? PeekManifest()
    {
        if (Current is { } live)
        {
            return live.Manifest;
        }

        try
        {
            return _loader.ReadManifest().Manifest;
        }
        catch (Exception ex) when (ex is ModelLoadException or ModelFormatException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Gets whether the catalog was disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Leases the live version, or <see langword="null"/> when none is live.</summary>
    /// <exception cref="ObjectDisposedException">The catalog was disposed.</exception>
    public LoadedModel? TryAcquire()
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, typeof(IModelCatalog));
            var model = Volatile.Read(ref _current);
            if (model is null || model.TryAcquire())
            {
                return model;
            }
        }
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var error = await LoadAsync(force: true, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw error as ModelLoadException ?? new ModelLoadException($"Model '{Name}' could not be loaded: {error.Message}", error);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            _disposed = 1;
            _watcher?.Dispose();
            _retryTimer.Dispose();
            Interlocked.Exchange(ref _current, null)?.Release();
        }
    }

    private void Kick() => _ = Task.Run(() => LoadQuietlyAsync(force: false));

    private void OnFolderChanged()
    {
        ModelLog.ModelChangeDetected(_logger, Name, _watchedFolder ?? _reference.WatchedFile, _options.ReloadDebounce);
        Kick();
    }

    /// <summary>Watches the folder of the watched file, or its nearest existing ancestor while it does not exist (re-targeted after every load attempt).</summary>
    private void Rewatch()
    {
        var folder = Path.GetDirectoryName(_reference.WatchedFile);
        while (folder is not null && !Directory.Exists(folder))
        {
            folder = Path.GetDirectoryName(folder);
        }

        if (folder is null || string.Equals(folder, _watchedFolder, StringComparison.Ordinal))
        {
            return;
        }

        _watcher?.Dispose();
        _watcher = null;
        _watchedFolder = folder;
        try
        {
            _watcher = new ModelFileWatcher(folder, _options.ReloadDebounce, _timeProvider, OnFolderChanged);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            _watchedFolder = null;
            ModelLog.WatchUnavailable(_logger, ex, Name, folder);
        }
    }

    private async Task LoadQuietlyAsync(bool force)
    {
        try
        {
            await LoadAsync(force, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while waiting: nothing to load.
        }
    }

    /// <summary>Loads, verifies and swaps; returns the error instead of throwing so background reloads never fault.</summary>
    private async Task<Exception?> LoadAsync(bool force, CancellationToken cancellationToken)
    {
        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return new ObjectDisposedException(nameof(IModelCatalog));
            }

            var fingerprint = Fingerprint();
            if (!force && fingerprint is not null && Current is not null && fingerprint == _currentFingerprint && Status.State == ModelLoadState.Loaded)
            {
                return null;
            }

            var started = _timeProvider.GetTimestamp();
            var live = Current;
            using var activity = QualityPredictionTracing.Source.StartActivity(QualityPredictionInstruments.ModelLoadActivity);
            activity?.SetTag(QualityPredictionInstruments.ModelNameTag, Name);
            activity?.SetTag(QualityPredictionInstruments.ReloadTag, live is not null);
            LoadedModel loaded;
            try
            {
                var attempt = Task.Run(() => _loader.Load(live?.Manifest, _timeProvider.GetUtcNow()), CancellationToken.None);
                try
                {
                    loaded = await attempt.WaitAsync(_options.LoadTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The stuck load keeps its thread until it ends; whatever it loads then is disposed, never swapped in.
                    _ = attempt.ContinueWith(static t => t.Result.Release(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                    throw new ModelLoadException(_reference.WatchedFile, $"the load did not finish within {_options.LoadTimeout} (ModelOptions.LoadTimeout); it was abandoned.", null);
                }
                catch (OperationCanceledException)
                {
                    _ = attempt.ContinueWith(static t => t.Result.Release(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                    throw;
                }
            }
            catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
            {
                if (activity is not null)
                {
                    QualityPredictionTracing.Failed(activity, ex);
                }

                Fail(ex);
                return ex;
            }

            activity?.SetTag(QualityPredictionInstruments.ModelVersionTag, loaded.Version);

            ModelStatus status;
            LoadedModel? previous;
            lock (_gate)
            {
                if (_disposed != 0)
                {
                    loaded.Release();
                    return new ObjectDisposedException(nameof(IModelCatalog));
                }

                previous = Interlocked.Exchange(ref _current, loaded);
                _currentFingerprint = fingerprint;
                _retryDelay = TimeSpan.Zero;
                status = new ModelStatus
                {
                    Name = Name,
                    State = ModelLoadState.Loaded,
                    Path = _options.Path,
                    ResolvedPath = _reference.Path,
                    ManifestPath = loaded.ManifestPath,
                    Version = loaded.Version,
                    Runtime = loaded.Runtime,
                    Manifest = loaded.Manifest,
                    LoadedAt = loaded.LoadedAt,
                    LastAttemptAt = loaded.LoadedAt,
                };
                Volatile.Write(ref _status, status);
                if (_options.WatchForChanges)
                {
                    Rewatch();
                }
            }

            ModelLog.ModelLoaded(_logger, Name, loaded.Version, loaded.ManifestPath, loaded.Runtime, _timeProvider.GetElapsedTime(started).TotalSeconds);
            _metrics?.Loaded(Name, null);
            if (previous is not null)
            {
                ModelLog.ModelRetired(_logger, Name, previous.Version);
                previous.Release();
            }

            _changed(status);
            return null;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private void Fail(Exception error)
    {
        ModelStatus status;
        lock (_gate)
        {
            var live = Current;
            status = Status with
            {
                State = live is null ? ModelLoadState.Failed : ModelLoadState.Degraded,
                LastAttemptAt = _timeProvider.GetUtcNow(),
                LastError = error.Message,
                LastException = error,
            };
            Volatile.Write(ref _status, status);
            ModelLog.ModelLoadFailed(_logger, error, Name, _reference.Path, live is null ? "no model is live" : $"version {live.Version} keeps serving");
            if (_disposed == 0 && _options.WatchForChanges)
            {
                Rewatch();
                if (_options.RetryMaxDelay > TimeSpan.Zero)
                {
                    _retryDelay = _retryDelay == TimeSpan.Zero ? FirstRetry : TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, _options.RetryMaxDelay.Ticks));
                    ModelLog.LoadRetry(_logger, Name, _retryDelay);
                    _retryTimer.Change(_retryDelay, Timeout.InfiniteTimeSpan);
                }
            }
        }

        _metrics?.Loaded(Name, error);
        _changed(status);
    }

    private static string Describe(FileInfo file)
    {
        var target = file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
        return target.Exists ? $"{file.Name}>{target.FullName}:{target.Length}:{target.LastWriteTimeUtc.Ticks}" : $"{file.Name}>missing";
    }

    /// <summary>The sizes and write times of the manifest and its folder's files, to skip reloads of unchanged files; <see langword="null"/> when they cannot be read.</summary>
    private string? Fingerprint()
    {
        try
        {
            var manifest = new FileInfo(_reference.ResolveManifestPath());
            if (!manifest.Exists || manifest.Directory is not { Exists: true } folder)
            {
                return null;
            }

            // Symbolic links are followed: a deploy that swaps a link (the Kubernetes ..data pattern) changes what they point to, not the links.
            var parts = folder.EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal).Select(Describe);
            return Describe(manifest) + "|" + string.Join("|", parts);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ModelLoadException or ModelFormatException or ArgumentException)
        {
            return null;
        }
    }
}
