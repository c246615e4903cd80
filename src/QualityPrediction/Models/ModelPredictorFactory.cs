using Microsoft.Extensions.Logging;

namespace QualityPrediction.Models;

/// <summary>
/// Creates a <see cref="ModelPredictor"/> per configured model, choosing among the registered <see cref="IModelRuntime"/>s:
/// the one <see cref="ModelOptions.Runtime"/> names, or else (per load) the managed tree runtime, then ONNX, then ML.NET, those whose artifact is present first.
/// Registered by <c>AddOnnxModel</c>/<c>AddMLNetModel</c> and the <c>AddOnnxRuntime</c>/<c>AddMLNetRuntime</c> extensions.
/// </summary>
public sealed class ModelPredictorFactory : IModelPredictorFactory
{
    private readonly IModelRuntime[] _runtimes;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly List<ModelPredictor> _created = [];

    /// <summary>Creates the factory.</summary>
    /// <param name="runtimes">The registered runtimes.</param>
    /// <param name="timeProvider">The time source; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">The logger factory; no logging when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="runtimes"/> is <see langword="null"/>.</exception>
    public ModelPredictorFactory(IEnumerable<IModelRuntime> runtimes, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(runtimes);
        _runtimes = [.. runtimes];
        _timeProvider = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory;
    }

    /// <summary>Gets the formats of the registered runtimes.</summary>
    public IReadOnlyList<string> Formats => [.. _runtimes.Select(r => r.Format)];

    /// <summary>Gets the predictors this factory created that are not disposed, e.g. for health checks, status pages, or to await their first load at start.</summary>
    public IReadOnlyList<ModelPredictor> Predictors
    {
        get
        {
            lock (_created)
            {
                _created.RemoveAll(p => p.IsDisposed);
                return [.. _created];
            }
        }
    }

    /// <inheritdoc />
    /// <returns>A <see cref="ModelPredictor"/> that is loading in the background.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options have no name or path.</exception>
    public IQualityPredictor Create(ModelOptions options) => CreatePredictor(options);

    /// <summary>Creates a predictor for one configured model, typed as <see cref="ModelPredictor"/> for access to its status and reload.</summary>
    /// <param name="options">The model's options.</param>
    /// <returns>The predictor, loading in the background; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options have no name or path.</exception>
    /// <exception cref="InvalidOperationException">No runtime is registered, or none has the format <see cref="ModelOptions.Runtime"/> names.</exception>
    public ModelPredictor CreatePredictor(ModelOptions options)
    {
        var predictor = new ModelPredictor(options, _runtimes, _timeProvider, _loggerFactory);
        lock (_created)
        {
            _created.RemoveAll(p => p.IsDisposed);
            _created.Add(predictor);
        }

        return predictor;
    }
}
