using QualityPrediction.Internal;
using QualityPrediction.Models.Internal;

namespace QualityPrediction.Models;

/// <summary>
/// A predictor backed by one model of an <see cref="IModelCatalog"/> (ML.NET, ONNX or the managed tree runtime): it
/// holds no model state of its own and scores with the catalog's live version of the model, which the catalog loads,
/// verifies and hot-swaps.
/// </summary>
/// <remarks>
/// <para>While the model has no version live (its first load still running, the file missing or refused),
/// predictions throw <see cref="ModelNotLoadedException"/> at once, naming why; they never wait for a load. An ensemble
/// reports the same case as <see cref="MemberStatus.NotLoaded"/> without an exception.</para>
/// <para>Results carry the manifest's calibration: the interval is the score plus the calibration bin's residual
/// quantiles (clamped to the target range) at the calibrated coverage, and the confidence is the bin's within-tolerance
/// share; without calibration the confidence is 0 with <see cref="ConfidenceKind.None"/>. Every result says how many
/// of the model's features the context supplied (<see cref="QualityPredictionResult.FeaturesSupplied"/>).</para>
/// <para>A context the live version cannot score — one that supplies none of its features, or a value of another kind
/// than its schema says — is refused with an <see cref="ArgumentException"/> saying why (an ensemble instead lets the
/// next member answer). Context names the model does not know follow <see cref="ModelOptions.UnknownFeatures"/>. Thread-safe.</para>
/// </remarks>
public sealed class ModelPredictor : IQualityPredictor
{
    private readonly IModelCatalog _catalog;
    private readonly CatalogEntry? _entry;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a predictor for one model of a catalog.</summary>
    /// <param name="catalog">The catalog that loads the model (in a host, the registered <see cref="IModelCatalog"/>; otherwise <see cref="StandaloneModelCatalog"/>).</param>
    /// <param name="modelName">The model's name in the catalog; it is also the results' <see cref="QualityPredictionResult.ModelName"/>.</param>
    /// <param name="timeProvider">Stamps the results; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> or <paramref name="modelName"/> is <see langword="null"/>.</exception>
    /// <exception cref="KeyNotFoundException">The catalog has no model of that name (the message lists the names it has).</exception>
    public ModelPredictor(IModelCatalog catalog, string modelName, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(modelName);
        _catalog = catalog;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _entry = CatalogEntries.Find(catalog, modelName);
        if (_entry is null)
        {
            _ = catalog.GetStatus(modelName);
        }

        Name = modelName;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the model's status in the catalog.</summary>
    public ModelStatus Status => _catalog.GetStatus(Name);

    /// <inheritdoc />
    /// <exception cref="ModelNotLoadedException">The model has no version live (the message says why).</exception>
    /// <exception cref="ArgumentException">The live version cannot score the context, or it carries an unknown feature under <see cref="UnknownFeatureHandling.Throw"/>.</exception>
    public QualityPredictionResult Predict(PredictionContext context) => PredictCore(context, CancellationToken.None);

    /// <inheritdoc />
    /// <exception cref="ModelNotLoadedException">The model has no version live (the message says why).</exception>
    /// <exception cref="ArgumentException">The live version cannot score the context, or it carries an unknown feature under <see cref="UnknownFeatureHandling.Throw"/>.</exception>
    public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(PredictCore(context, cancellationToken));
    }

    /// <inheritdoc />
    /// <exception cref="ModelNotLoadedException">The model has no version live.</exception>
    /// <exception cref="ArgumentException">A context cannot be scored by the live version (the message gives its index and why).</exception>
    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
    {
        Features.CheckBatch(contexts, results);
        cancellationToken.ThrowIfCancellationRequested();
        if (contexts.IsEmpty)
        {
            return;
        }

        using var lease = Lease();
        var model = lease.Model!;
        var answers = new ModelAnswer[contexts.Length];
        if (model.TryScoreBatch(contexts, answers, cancellationToken))
        {
            var now = _timeProvider.GetUtcNow();
            var ids = PredictionIds.Reserve(now, contexts.Length);
            for (var i = 0; i < contexts.Length; i++)
            {
                results[i] = model.ToResult(answers[i], now, ids.Next());
            }

            return;
        }

        for (var i = 0; i < contexts.Length; i++)
        {
            try
            {
                results[i] = Score(model, contexts[i], cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"The context at index {i}: {ex.Message}", nameof(contexts), ex);
            }
        }
    }

    private QualityPredictionResult PredictCore(PredictionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var lease = Lease();
        return Score(lease.Model!, context, cancellationToken);
    }

    private QualityPredictionResult Score(LoadedModel model, PredictionContext context, CancellationToken cancellationToken)
    {
        var status = model.TryScore(context, cancellationToken, out var answer, out var reason);
        if (status != ScoreStatus.Ok)
        {
            throw new ArgumentException(reason, nameof(context));
        }

        var now = _timeProvider.GetUtcNow();
        return model.ToResult(answer, now, PredictionIds.Next(now));
    }

    private ModelLease Lease()
    {
        if (_entry is not null)
        {
            return _entry.TryAcquire() is { } model ? new ModelLease(model) : throw NotLoaded(_entry.Status);
        }

        return _catalog.TryLease(Name, out var lease) && lease.Model is not null ? lease : throw NotLoaded(_catalog.GetStatus(Name));
    }

    internal static ModelNotLoadedException NotLoaded(ModelStatus status) => status.LastException is { } error
        ? new ModelNotLoadedException(NotLoadedReason(status), error)
        : new ModelNotLoadedException(NotLoadedReason(status));

    /// <summary>Why a model with no live version cannot answer, naming the resolved path.</summary>
    internal static string NotLoadedReason(ModelStatus status) => status.LastError is { } error
        ? $"Model '{status.Name}' is not loaded: {error}"
        : $"Model '{status.Name}' is not loaded yet (its first load from {status.ResolvedPath ?? status.Path} is still running).";
}
