using System.Threading.Channels;
using QualityPrediction.Models;
using QualityPrediction.Models.Internal;

namespace QualityPrediction.Runtimes.Tests.TestSupport;

/// <summary>One model in its own standalone catalog, with a predictor on it: what a test used to get from a self-loading predictor.</summary>
internal sealed class CatalogModel : IQualityPredictor, IDisposable
{
    private readonly Channel<ModelStatus> _changes = Channel.CreateUnbounded<ModelStatus>();
    private readonly IDisposable _subscription;

    private CatalogModel(StandaloneModelCatalog catalog, string name, TimeProvider? timeProvider)
    {
        Catalog = catalog;
        Predictor = new ModelPredictor(catalog, name, timeProvider);
        _subscription = catalog.OnChange(status => _changes.Writer.TryWrite(status));
    }

    public StandaloneModelCatalog Catalog { get; }

    public ModelPredictor Predictor { get; }

    public string Name => Predictor.Name;

    public ModelStatus Status => Predictor.Status;

    /// <summary>Gets the live version (internal), for tests.</summary>
    public LoadedModel? CurrentModel => Catalog.Inner.Find(Name).Current;

    /// <summary>Loads the model (file watching off unless configured) and waits for its first load attempt.</summary>
    public static async Task<CatalogModel> LoadAsync(ModelOptions options, IEnumerable<IModelRuntime> runtimes, TimeProvider? timeProvider = null)
    {
        var catalog = await StandaloneModelCatalog.LoadAsync([options], runtimes, timeProvider).WaitAsync(TimeSpan.FromSeconds(60));
        return new CatalogModel(catalog, options.Name, timeProvider);
    }

    public Task ReloadAsync(CancellationToken cancellationToken = default) => Catalog.ReloadAsync(Name, cancellationToken);

    /// <summary>Waits for the next load attempt's status (each attempt, from now on, is seen once).</summary>
    public async Task<ModelStatus> NextChangeAsync(TimeSpan timeout) =>
        await _changes.Reader.ReadAsync().AsTask().WaitAsync(timeout);

    /// <summary>Forgets the load attempts seen so far.</summary>
    public void ClearChanges()
    {
        while (_changes.Reader.TryRead(out _))
        {
        }
    }

    public QualityPredictionResult Predict(PredictionContext context) => Predictor.Predict(context);

    public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default) => Predictor.PredictAsync(context, cancellationToken);

    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default) => Predictor.PredictBatch(contexts, results, cancellationToken);

    public void Dispose()
    {
        _subscription.Dispose();
        Catalog.Dispose();
    }
}
