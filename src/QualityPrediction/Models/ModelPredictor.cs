using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QualityPrediction.Internal;
using QualityPrediction.Models.Internal;

namespace QualityPrediction.Models;

/// <summary>
/// A predictor backed by one trained model (ML.NET or ONNX, through an <see cref="IModelRuntime"/>) that is loaded
/// from its manifest in the background, verified before it goes live, and hot-swapped when the manifest (or the
/// registry alias) changes.
/// </summary>
/// <remarks>
/// <para>
/// Before any engine parses the artifact, the predictor refuses an artifact path that leaves the manifest's folder
/// (<c>..</c>, absolute, or a symbolic link pointing outside), a file larger than <see cref="ModelOptions.MaxArtifactBytes"/>
/// or of another size than the manifest says, and a SHA-256 mismatch. It reads the bytes once and hands those same
/// bytes to the runtime, then checks the model's input length against the manifest's features and scores once to warm up.
/// </para>
/// <para>
/// A reload loads, verifies and warms up the new version off the hot path and swaps it in atomically; predictions
/// already running finish on the old version, which is disposed when the last of them completes. A failed reload
/// keeps the old version (<see cref="ModelLoadState.Degraded"/>). While no model is live, predictions throw
/// <see cref="ModelNotLoadedException"/>, which an ensemble reports as <see cref="MemberStatus.NotLoaded"/>.
/// </para>
/// <para>
/// Results carry the manifest's calibration: the interval is the score plus the calibration bin's residual quantiles
/// (clamped to the target range) at the calibrated coverage, and the confidence is the bin's within-tolerance share.
/// Without calibration the confidence is 0 with <see cref="ConfidenceKind.None"/>. <see cref="QualityPredictionResult.ModelName"/>
/// is this predictor's <see cref="Name"/>. Thread-safe.
/// </para>
/// </remarks>
public sealed class ModelPredictor : IQualityPredictor, IOwnedResultPredictor, IDisposable
{
    private static readonly TimeSpan InitialLoadWait = TimeSpan.FromSeconds(30);

    private readonly string _name;
    private readonly string _configuredPath;
    private readonly string? _runtimeName;
    private readonly bool _verifyHash;
    private readonly long _maxArtifactBytes;
    private readonly TimeSpan _debounce;
    private readonly ModelRuntimeOptions _engine;
    private readonly IModelRuntime[] _runtimes;
    private readonly ModelReference _reference;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly ModelFileWatcher? _watcher;
    private readonly Task _initialLoad;
    private LoadedModel? _current;
    private ModelStatus _status;
    private NotLoadedText? _notLoaded;
    private int _disposed;

    /// <summary>Creates the predictor and starts loading the model in the background.</summary>
    /// <param name="options">The model's options; copied, later changes have no effect.</param>
    /// <param name="runtimes">The registered runtimes to choose from (see <see cref="ModelOptions.Runtime"/>).</param>
    /// <param name="timeProvider">The time source; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">The logger factory; no logging when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="runtimes"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options have no name or path, or a non-positive <see cref="ModelOptions.MaxArtifactBytes"/>.</exception>
    /// <exception cref="InvalidOperationException">No runtime is given, or none has the format <see cref="ModelOptions.Runtime"/> names.</exception>
    public ModelPredictor(ModelOptions options, IEnumerable<IModelRuntime> runtimes, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtimes);
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            throw new ArgumentException("The model needs a name (ModelOptions.Name).", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new ArgumentException($"Model '{options.Name}' needs a manifest path or registry reference (ModelOptions.Path).", nameof(options));
        }

        if (options.MaxArtifactBytes <= 0)
        {
            throw new ArgumentException($"Model '{options.Name}': ModelOptions.MaxArtifactBytes must be positive.", nameof(options));
        }

        _runtimes = [.. runtimes];
        if (_runtimes.Length == 0)
        {
            throw new InvalidOperationException($"Model '{options.Name}': no model runtime is registered; reference QualityPrediction.Onnx or QualityPrediction.MLNet and call AddOnnxRuntime() or AddMLNetRuntime().");
        }

        if (options.Runtime is { } runtime && !_runtimes.Any(r => string.Equals(r.Name, runtime, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"Model '{options.Name}' asks for the '{runtime}' runtime, but only {string.Join(", ", _runtimes.Select(r => $"'{r.Name}'"))} is registered.");
        }

        _name = options.Name;
        _configuredPath = options.Path;
        _runtimeName = options.Runtime;
        _verifyHash = options.VerifyHash;
        _maxArtifactBytes = options.MaxArtifactBytes;
        _debounce = options.ReloadDebounce;
        _engine = new ModelRuntimeOptions
        {
            IntraOpThreads = options.Engine?.IntraOpThreads ?? 1,
            BatchIntraOpThreads = options.Engine?.BatchIntraOpThreads ?? 0,
            AllowSpinning = options.Engine?.AllowSpinning ?? false,
        };
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger<ModelPredictor>() ?? NullLogger.Instance;
        _reference = ModelReference.Parse(options.Path, AppContext.BaseDirectory);
        _status = new ModelStatus { Name = _name, State = ModelLoadState.NotLoaded, Path = _configuredPath };

        if (options.WatchForChanges)
        {
            _watcher = TryWatch();
        }

        _initialLoad = Task.Run(LoadQuietlyAsync);
    }

    /// <summary>Raised after every load or reload attempt, successful or not (for health reporting).</summary>
    /// <remarks>Handlers run on a background thread; exceptions they throw are logged and swallowed.</remarks>
    public event EventHandler<ModelLoadEventArgs>? LoadCompleted;

    /// <inheritdoc />
    public string Name => _name;

    /// <summary>Gets a snapshot of the predictor's state.</summary>
    public ModelStatus Status => Volatile.Read(ref _status);

    /// <summary>Gets whether <see cref="Dispose"/> was called.</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Gets the live model, for tests.</summary>
    internal LoadedModel? CurrentModel => Volatile.Read(ref _current);

    /// <summary>Waits until the first load attempt has finished (successfully or not).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes after the first load attempt.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task WaitForInitialLoadAsync(CancellationToken cancellationToken = default) => _initialLoad.WaitAsync(cancellationToken);

    /// <summary>Loads the model again now (for hosts that deploy by other means than file changes): resolves the manifest, verifies, warms up and swaps.</summary>
    /// <param name="cancellationToken">Cancels waiting for a load already in progress and the start of this one.</param>
    /// <returns>A task that completes when the new version is live.</returns>
    /// <exception cref="ModelLoadException">The new version was refused; the previous one (if any) keeps serving.</exception>
    /// <exception cref="ObjectDisposedException">The predictor was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var error = await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw error as ModelLoadException ?? new ModelLoadException($"Model '{_name}' could not be loaded: {error.Message}", error);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ModelNotLoadedException">No model is live (missing, refused, or still loading after 30 s).</exception>
    /// <exception cref="ObjectDisposedException">The predictor was disposed.</exception>
    public QualityPredictionResult Predict(PredictionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = Acquire(CancellationToken.None);
        try
        {
            return model.Predict(context, _timeProvider, CancellationToken.None);
        }
        finally
        {
            model.Release();
        }
    }

    /// <inheritdoc />
    TimeProvider IOwnedResultPredictor.TimeProvider => _timeProvider;

    /// <inheritdoc />
    QualityPredictionResult IOwnedResultPredictor.Predict(PredictionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var model = Acquire(cancellationToken);
        try
        {
            return model.Predict(context, _timeProvider, cancellationToken);
        }
        finally
        {
            model.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="ModelNotLoadedException">No model is live.</exception>
    /// <exception cref="ObjectDisposedException">The predictor was disposed.</exception>
    public async ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _current) is null && !_initialLoad.IsCompleted)
        {
            await _initialLoad.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var model = Acquire(cancellationToken);
        try
        {
            return model.Predict(context, _timeProvider, cancellationToken);
        }
        finally
        {
            model.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="ModelNotLoadedException">No model is live.</exception>
    /// <exception cref="ObjectDisposedException">The predictor was disposed.</exception>
    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < contexts.Length)
        {
            throw new ArgumentException($"The results span ({results.Length}) is shorter than the contexts span ({contexts.Length}).", nameof(results));
        }

        for (var i = 0; i < contexts.Length; i++)
        {
            if (contexts[i] is null)
            {
                throw new ArgumentNullException(nameof(contexts), $"The context at index {i} is null.");
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (contexts.IsEmpty)
        {
            return;
        }

        var model = Acquire(cancellationToken);
        try
        {
            model.PredictBatch(contexts, results, _timeProvider, cancellationToken);
        }
        finally
        {
            model.Release();
        }
    }

    /// <summary>Stops watching, retires the live model (disposed once in-flight predictions finish) and refuses further predictions.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watcher?.Dispose();
        Interlocked.Exchange(ref _current, null)?.Release();
    }

    /// <summary>
    /// Why no model can answer right now, without throwing: the text <see cref="ModelNotLoadedException"/> would carry,
    /// once the first load has finished and no version is live; <see langword="null"/> when a call would be answered
    /// or would wait for the first load. The ensemble uses it so that falling back costs no exception per call.
    /// </summary>
    internal string? NotLoadedReason()
    {
        if (Volatile.Read(ref _current) is not null || !_initialLoad.IsCompleted || Volatile.Read(ref _disposed) != 0)
        {
            return null;
        }

        var status = Status;
        if (Volatile.Read(ref _notLoaded) is { } cached && ReferenceEquals(cached.Status, status))
        {
            return cached.Reason;
        }

        var reason = status.LastException is { } error ? $"Model '{_name}' is not loaded: {error.Message}" : $"Model '{_name}' is not loaded yet ({_configuredPath}).";
        Volatile.Write(ref _notLoaded, new NotLoadedText(status, reason));
        return reason;
    }

    private LoadedModel Acquire(CancellationToken cancellationToken)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var model = Volatile.Read(ref _current);
            if (model is null)
            {
                if (!_initialLoad.IsCompleted && _initialLoad.Wait(InitialLoadWait, cancellationToken))
                {
                    continue;
                }

                var status = Status;
                throw status.LastException is { } error
                    ? new ModelNotLoadedException($"Model '{_name}' is not loaded: {error.Message}", error)
                    : new ModelNotLoadedException($"Model '{_name}' is not loaded yet ({_configuredPath}).");
            }

            if (model.TryAcquire())
            {
                return model;
            }
        }
    }

    private ModelFileWatcher? TryWatch()
    {
        var file = _reference.WatchedFile;
        try
        {
            return new ModelFileWatcher(file, _debounce, _timeProvider, OnFileChanged);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            ModelLog.WatchUnavailable(_logger, ex, _name, Path.GetDirectoryName(file) ?? file);
            return null;
        }
    }

    private void OnFileChanged()
    {
        ModelLog.ModelChangeDetected(_logger, _name, _reference.WatchedFile, _debounce);
        _ = Task.Run(LoadQuietlyAsync);
    }

    private async Task LoadQuietlyAsync()
    {
        try
        {
            await LoadAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while waiting: nothing to load.
        }
    }

    /// <summary>Loads, verifies and swaps; returns the error instead of throwing so background reloads never fault.</summary>
    private async Task<Exception?> LoadAsync(CancellationToken cancellationToken)
    {
        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return new ObjectDisposedException(nameof(ModelPredictor));
            }

            var started = _timeProvider.GetTimestamp();
            LoadedModel loaded;
            try
            {
                loaded = LoadModel();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Fail(ex);
                return ex;
            }

            if (Volatile.Read(ref _disposed) != 0)
            {
                loaded.Release();
                return new ObjectDisposedException(nameof(ModelPredictor));
            }

            var previous = Interlocked.Exchange(ref _current, loaded);
            var status = new ModelStatus
            {
                Name = _name,
                State = ModelLoadState.Loaded,
                Path = _configuredPath,
                ManifestPath = loaded.ManifestPath,
                Version = loaded.Version,
                Runtime = loaded.Runtime,
                Manifest = loaded.Manifest,
                LoadedAt = loaded.LoadedAt,
                LastAttemptAt = loaded.LoadedAt,
            };
            Volatile.Write(ref _status, status);
            ModelLog.ModelLoaded(_logger, _name, loaded.Version, loaded.ManifestPath, loaded.Runtime, _timeProvider.GetElapsedTime(started).TotalSeconds);
            if (previous is not null)
            {
                ModelLog.ModelRetired(_logger, _name, previous.Version);
                previous.Release();
            }

            Raise(status, null);
            return null;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private void Fail(Exception error)
    {
        var live = Volatile.Read(ref _current);
        var previous = Status;
        var status = previous with
        {
            State = live is null ? ModelLoadState.Failed : ModelLoadState.Degraded,
            LastAttemptAt = _timeProvider.GetUtcNow(),
            LastError = error.Message,
            LastException = error,
        };
        Volatile.Write(ref _status, status);
        ModelLog.ModelLoadFailed(_logger, error, _name, _configuredPath, live is null ? "no model is live" : $"version {live.Version} keeps serving");
        Raise(status, error);
    }

    private void Raise(ModelStatus status, Exception? error)
    {
        var handler = LoadCompleted;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new ModelLoadEventArgs(status, error));
        }
        catch (Exception ex)
        {
            ModelLog.LoadHandlerFailed(_logger, ex, _name);
        }
    }

    private LoadedModel LoadModel()
    {
        var manifestPath = _reference.ResolveManifestPath();
        ModelManifest manifest;
        try
        {
            manifest = ModelManifest.Load(manifestPath);
        }
        catch (FileNotFoundException ex)
        {
            throw new ModelLoadException(manifestPath, "the manifest does not exist.", ex);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new ModelLoadException(manifestPath, "the manifest's folder does not exist.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(manifestPath, $"the manifest cannot be read: {ex.Message}", ex);
        }

        var encoder = FeatureEncoder.Create(manifest);
        var candidates = ChooseRuntimes(manifestPath, manifest);
        IModelRuntime runtime = null!;
        IScoringModel? scoring = null;
        string artifactPath = "";
        ReadOnlyMemory<byte> bytes = default;
        string? bytesPath = null;
        for (var c = 0; scoring is null; c++)
        {
            (runtime, var artifact, artifactPath) = candidates[c];
            if (bytesPath != artifactPath)
            {
                bytes = ArtifactReader.ReadVerified(artifactPath, artifact, _maxArtifactBytes, _verifyHash);
                bytesPath = artifactPath;
            }

            try
            {
                scoring = runtime.Load(manifest, artifact, bytes, _engine);
            }
            catch (UnsupportedModelException ex) when (c + 1 < candidates.Count)
            {
                // An inferred runtime that cannot run this graph (e.g. the managed tree runtime and a linear model): the next one that reads the format tries.
                ModelLog.RuntimeDeclined(_logger, _name, runtime.Name, ex.Reason ?? ex.Message);
            }
            catch (ModelLoadException ex) when (ex.File is { } file && !Path.IsPathRooted(file))
            {
                // Runtimes name the artifact as the manifest lists it; name the full path, so a refusal tells which version it was.
                throw ex is UnsupportedModelException
                    ? new UnsupportedModelException(artifactPath, ex.Reason ?? ex.Message, ex)
                    : new ModelLoadException(artifactPath, ex.Reason ?? ex.Message, ex);
            }
            catch (ModelLoadException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new ModelLoadException(artifactPath, $"the {runtime.Name} runtime refused the artifact: {ex.Message}", ex);
            }
        }

        var loaded = new LoadedModel(_name, manifestPath, runtime.Name, manifest, encoder, scoring, _timeProvider.GetUtcNow());
        try
        {
            if (scoring.InputLength != encoder.Length)
            {
                throw new ModelLoadException(artifactPath, $"the model takes {scoring.InputLength} input values but the manifest's features describe {encoder.Length}.", null);
            }

            loaded.WarmUp();
        }
        catch (Exception ex)
        {
            loaded.Release();
            if (ex is ModelLoadException)
            {
                throw;
            }

            throw new ModelLoadException(artifactPath, $"the model failed its warm-up prediction: {ex.Message}", ex);
        }

        Debug.Assert(!loaded.IsDisposed, "A freshly loaded model holds its owner reference.");
        return loaded;
    }

    /// <summary>
    /// The runtimes to try, in order: the one <see cref="ModelOptions.Runtime"/> names; or else every registered runtime
    /// whose format the manifest lists (managed trees, then ONNX, then ML.NET), those whose artifact exists first. A
    /// runtime that declines a model (<see cref="UnsupportedModelException"/>) hands it to the next.
    /// </summary>
    private List<(IModelRuntime Runtime, ArtifactInfo Artifact, string Path)> ChooseRuntimes(string manifestPath, ModelManifest manifest)
    {
        if (_runtimeName is not null)
        {
            var runtime = _runtimes.First(r => string.Equals(r.Name, _runtimeName, StringComparison.OrdinalIgnoreCase));
            var artifact = manifest.FindArtifact(runtime.Format)
                ?? throw new ModelLoadException(manifestPath, $"the manifest lists no '{runtime.Format}' artifact (it has: {FormatList(manifest)}).", null);
            return [(runtime, artifact, ArtifactReader.ResolvePath(manifestPath, artifact))];
        }

        var present = new List<(IModelRuntime, ArtifactInfo, string)>();
        var listed = new List<(IModelRuntime, ArtifactInfo, string)>();
        foreach (var runtime in _runtimes.OrderBy(Preference))
        {
            var artifact = manifest.FindArtifact(runtime.Format);
            if (artifact is null)
            {
                continue;
            }

            var path = ArtifactReader.ResolvePath(manifestPath, artifact);
            (File.Exists(path) ? present : listed).Add((runtime, artifact, path));
        }

        present.AddRange(listed);
        return present.Count > 0
            ? present
            : throw new ModelLoadException(manifestPath, $"no registered runtime ({string.Join(", ", _runtimes.Select(r => r.Name))}) can load any of the manifest's artifacts ({FormatList(manifest)}).", null);
    }

    private static int Preference(IModelRuntime runtime) =>
        string.Equals(runtime.Name, "trees", StringComparison.OrdinalIgnoreCase) ? 0
        : string.Equals(runtime.Format, "onnx", StringComparison.OrdinalIgnoreCase) ? 1
        : string.Equals(runtime.Format, "mlnet", StringComparison.OrdinalIgnoreCase) ? 2
        : 3;

    private static string FormatList(ModelManifest manifest) =>
        manifest.Artifacts.Count == 0 ? "none" : string.Join(", ", manifest.Artifacts.Select(a => a.Format));

    /// <summary>The not-loaded reason computed for one status snapshot (recomputed when the status changes).</summary>
    private sealed record NotLoadedText(ModelStatus Status, string Reason);
}
