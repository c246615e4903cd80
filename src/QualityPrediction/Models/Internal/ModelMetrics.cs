using System.Diagnostics.Metrics;

namespace QualityPrediction.Models.Internal;

/// <summary>The catalog's instruments: load attempts and unknown context features, per model.</summary>
internal sealed class ModelMetrics
{
    private readonly Counter<long> _loads;
    private readonly Counter<long> _unknownFeatures;

    public ModelMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(new MeterOptions(QualityPredictionInstruments.MeterName));
        _loads = meter.CreateCounter<long>(QualityPredictionInstruments.ModelLoads, "{load}", "Model load attempts, by model and, for failures, error type.");
        _unknownFeatures = meter.CreateCounter<long>(QualityPredictionInstruments.UnknownFeatures, "{feature}", "Context feature names a model did not know, by model.");
    }

    public void Loaded(string model, Exception? error)
    {
        if (!_loads.Enabled)
        {
            return;
        }

        if (error is null)
        {
            _loads.Add(1, new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelNameTag, model));
        }
        else
        {
            _loads.Add(
                1,
                new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelNameTag, model),
                new KeyValuePair<string, object?>(QualityPredictionInstruments.ErrorTypeTag, error.GetType().Name));
        }
    }

    public void UnknownFeatures(string model, int count)
    {
        if (_unknownFeatures.Enabled)
        {
            _unknownFeatures.Add(count, new KeyValuePair<string, object?>(QualityPredictionInstruments.ModelNameTag, model));
        }
    }
}
