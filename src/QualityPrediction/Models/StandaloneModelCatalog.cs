using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using QualityPrediction.Models.Internal;

namespace QualityPrediction.Models;

/// <summary>
/// A model catalog without a host (unit tests, console tools): loads, verifies, watches and hot-swaps the given models
/// exactly as the hosted catalog that <c>AddQualityPrediction(...)</c> registers does. Relative paths are resolved against
/// the current directory. Dispose it to stop watching and release the engines.
/// </summary>
/// <example>
/// <code>
/// await using var catalog = await StandaloneModelCatalog.LoadAsync([new ModelOptions { Name = "wine", Path = "models/wine.model.json" }], [new OnnxModelRuntime()]);
/// var predictor = new ModelPredictor(catalog, "wine");
/// </code>
/// </example>
public sealed class StandaloneModelCatalog : IModelCatalog, IAsyncDisposable, IDisposable
{
    private StandaloneModelCatalog(DefaultModelCatalog inner) => Inner = inner;

    /// <inheritdoc />
    public IReadOnlyList<string> ModelNames => Inner.ModelNames;

    internal DefaultModelCatalog Inner { get; }

    /// <summary>Creates the catalog and waits for every model's first load to finish, successfully or not (see <see cref="GetStatus"/>).</summary>
    /// <param name="models">The models; their options are read now (later changes have no effect).</param>
    /// <param name="runtimes">The runtimes to load them with (for example <c>new OnnxModelRuntime()</c>).</param>
    /// <param name="timeProvider">The time source; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Receives load, reload and unknown-feature messages; none when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>QualityPrediction</c> meter; no metrics when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the first loads (they go on in the background).</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="models"/> or <paramref name="runtimes"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A model has no name or path, or two models share a name with different paths.</exception>
    /// <exception cref="InvalidOperationException">No runtime is given, or none has the name <see cref="ModelOptions.Runtime"/> asks for.</exception>
    public static async Task<StandaloneModelCatalog> LoadAsync(
        IEnumerable<ModelOptions> models,
        IEnumerable<IModelRuntime> runtimes,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(runtimes);
        var copies = models.Select(Copy).ToList();
        var inner = new DefaultModelCatalog(copies, runtimes, Directory.GetCurrentDirectory(), Timeout.InfiniteTimeSpan, timeProvider, loggerFactory, meterFactory);
        var catalog = new StandaloneModelCatalog(inner);
        try
        {
            await inner.WaitForFirstLoadsAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            inner.Dispose();
            throw;
        }

        return catalog;
    }

    /// <inheritdoc />
    public ModelStatus GetStatus(string name) => Inner.GetStatus(name);

    /// <inheritdoc />
    public bool TryLease(string name, out ModelLease lease) => Inner.TryLease(name, out lease);

    /// <inheritdoc />
    public Task ReloadAsync(string name, CancellationToken cancellationToken = default) => Inner.ReloadAsync(name, cancellationToken);

    /// <inheritdoc />
    public IDisposable OnChange(Action<ModelStatus> handler) => Inner.OnChange(handler);

    /// <summary>Stops watching and releases every engine once its in-flight predictions finish.</summary>
    public void Dispose() => Inner.Dispose();

    /// <inheritdoc cref="Dispose"/>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Inner.Dispose();
        return ValueTask.CompletedTask;
    }

    private static ModelOptions Copy(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options, "models");
        return new ModelOptions
        {
            Name = options.Name,
            Path = options.Path,
            Runtime = options.Runtime,
            Weight = options.Weight,
            VerifyHash = options.VerifyHash,
            MaxArtifactBytes = options.MaxArtifactBytes,
            WatchForChanges = options.WatchForChanges,
            ReloadDebounce = options.ReloadDebounce,
            UnknownFeatures = options.UnknownFeatures,
            LoadTimeout = options.LoadTimeout,
            RetryMaxDelay = options.RetryMaxDelay,
            AcceptSchemaChanges = options.AcceptSchemaChanges,
            Engine = options.Engine,
        };
    }
}
