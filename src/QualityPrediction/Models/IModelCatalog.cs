namespace QualityPrediction.Models;

/// <summary>
/// The configured models of a host, by name: each one's load state, live version and manifest, and a lease to score
/// with. One catalog owns loading, verification, watching and hot swapping for every configured model; predictors
/// read it and hold no model state of their own.
/// </summary>
/// <remarks>
/// In a host, <c>AddQualityPrediction(...)</c> registers the catalog as a singleton (and as the hosted service that
/// starts the first loads). Without a host, <see cref="StandaloneModelCatalog.LoadAsync"/> creates one. Every member
/// is thread-safe; <see cref="TryLease"/> never blocks and never throws for a model that is not loaded.
/// </remarks>
public interface IModelCatalog
{
    /// <summary>Gets the names of the configured models, in configuration order.</summary>
    IReadOnlyList<string> ModelNames { get; }

    /// <summary>Gets a snapshot of one model's state.</summary>
    /// <param name="name">The model's name.</param>
    /// <returns>The status; <see cref="ModelStatus.State"/> is <see cref="ModelLoadState.NotLoaded"/> until the first load finishes.</returns>
    /// <exception cref="KeyNotFoundException">No model of that name is configured (the message lists the names that are).</exception>
    ModelStatus GetStatus(string name);

    /// <summary>Leases the live version of a model for scoring; the lease keeps that version alive until it is disposed, even across a hot swap.</summary>
    /// <param name="name">The model's name.</param>
    /// <param name="lease">The lease, when a version is live; dispose it when done.</param>
    /// <returns><see langword="true"/> when a version is live; <see langword="false"/> at once otherwise (see <see cref="GetStatus"/> for why).</returns>
    /// <exception cref="KeyNotFoundException">No model of that name is configured.</exception>
    bool TryLease(string name, out ModelLease lease);

    /// <summary>Loads a model again now (for deploys that the file watcher cannot see): resolves, verifies, warms up and swaps.</summary>
    /// <param name="name">The model's name.</param>
    /// <param name="cancellationToken">Stops waiting (the load itself is bounded by <see cref="ModelOptions.LoadTimeout"/>).</param>
    /// <returns>A task that completes when the new version is live.</returns>
    /// <exception cref="KeyNotFoundException">No model of that name is configured.</exception>
    /// <exception cref="ModelLoadException">The version was refused (the message names the file and what is wrong); the previous version, if any, keeps serving.</exception>
    /// <exception cref="ObjectDisposedException">The catalog was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task ReloadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Calls <paramref name="handler"/> after every load attempt of any model, successful or not.</summary>
    /// <param name="handler">Receives the status after the attempt; runs on a background thread; exceptions it throws are logged and swallowed.</param>
    /// <returns>A registration; dispose it to stop the calls.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    IDisposable OnChange(Action<ModelStatus> handler);
}
