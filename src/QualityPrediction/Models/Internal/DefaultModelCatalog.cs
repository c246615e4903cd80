using QualityPrediction.Internal;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace QualityPrediction.Models.Internal;

/// <summary>
/// The catalog of a host (and of <see cref="StandaloneModelCatalog"/>): one <see cref="CatalogEntry"/> per configured
/// model. As a hosted service it starts every first load when the host starts and waits for them up to the configured
/// wait; without a host, the first use starts them.
/// </summary>
internal sealed class DefaultModelCatalog : IModelCatalog, IHostedService, IDisposable
{
    private readonly Dictionary<string, CatalogEntry> _entries;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _startWait;
    private readonly object _handlersGate = new();
    private Action<ModelStatus>[] _handlers = [];
    private int _started;
    private int _disposed;

    public DefaultModelCatalog(IEnumerable<ModelOptions> models, IEnumerable<IModelRuntime> runtimes, string baseDirectory, TimeSpan startWait, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger<IModelCatalog>() ?? NullLogger.Instance;
        _startWait = startWait;
        var metrics = meterFactory is null ? null : new ModelMetrics(meterFactory);
        var available = runtimes.ToArray();
        var configured = models.ToList();
        ModelOptionsRules.Check(configured, available);
        _entries = new Dictionary<string, CatalogEntry>(StringComparer.Ordinal);
        var names = new List<string>();
        try
        {
            foreach (var model in configured)
            {
                if (_entries.ContainsKey(model.Name))
                {
                    continue;
                }

                _entries[model.Name] = new CatalogEntry(model, available, baseDirectory, _timeProvider, _logger, metrics, Notify);
                names.Add(model.Name);
            }
        }
        catch
        {
            foreach (var entry in _entries.Values)
            {
                entry.Dispose();
            }

            throw;
        }

        ModelNames = names;
    }

    public IReadOnlyList<string> ModelNames { get; }

    public ModelStatus GetStatus(string name)
    {
        var entry = Find(name);
        EnsureStarted();
        return entry.Status;
    }

    public bool TryLease(string name, out ModelLease lease)
    {
        var entry = Find(name);
        EnsureStarted();
        if (entry.TryAcquire() is { } model)
        {
            lease = new ModelLease(model);
            return true;
        }

        lease = default;
        return false;
    }

    public Task ReloadAsync(string name, CancellationToken cancellationToken = default)
    {
        var entry = Find(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        EnsureStarted();
        return entry.ReloadAsync(cancellationToken);
    }

    public IDisposable OnChange(Action<ModelStatus> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Registration(this, handler);
    }

    /// <summary>Gets an entry by name (for the predictors and the ensemble, which hold it instead of looking it up per call).</summary>
    internal CatalogEntry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException(_entries.Count == 0
                ? $"No model named '{name}' is configured: the catalog has no models."
                : $"No model named '{name}' is configured{NameSuggestions.DidYouMean(name, _entries.Keys)}; the catalog has {string.Join(", ", ModelNames.Select(n => $"'{n}'"))}.");
    }

    /// <summary>Starts every entry's first load, once.</summary>
    internal void EnsureStarted()
    {
        if (Volatile.Read(ref _started) != 0 || Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        foreach (var entry in _entries.Values)
        {
            entry.Start();
        }
    }

    /// <summary>Waits for every first load, up to <paramref name="wait"/>; a model still loading keeps loading in the background.</summary>
    internal async Task WaitForFirstLoadsAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        EnsureStarted();
        if ((wait <= TimeSpan.Zero && wait != Timeout.InfiniteTimeSpan) || _entries.Count == 0)
        {
            return;
        }

        var loads = Task.WhenAll(_entries.Values.Select(e => e.FirstLoad));
        try
        {
            await (wait == Timeout.InfiniteTimeSpan ? loads.WaitAsync(cancellationToken) : loads.WaitAsync(wait, _timeProvider, cancellationToken)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still loading: the fallback answers until the load completes; the model's status says so.
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => WaitForFirstLoadsAsync(_startWait, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var entry in _entries.Values)
        {
            entry.Dispose();
        }
    }

    private void Notify(ModelStatus status)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(status);
            }
            catch (Exception ex)
            {
                ModelLog.LoadHandlerFailed(_logger, ex, status.Name);
            }
        }
    }

    private sealed class Registration(DefaultModelCatalog catalog, Action<ModelStatus> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (catalog._handlersGate)
            {
                var index = Array.IndexOf(catalog._handlers, handler);
                if (index >= 0)
                {
                    catalog._handlers = [.. catalog._handlers[..index], .. catalog._handlers[(index + 1)..]];
                }
            }
        }
    }
}
