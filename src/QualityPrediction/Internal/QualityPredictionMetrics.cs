using System.Diagnostics.Metrics;

namespace QualityPrediction.Internal;

/// <summary>The instruments of the <c>QualityPrediction</c> meter. The meter belongs to the <see cref="IMeterFactory"/>, which disposes it.</summary>
internal sealed class QualityPredictionMetrics
{
    private static readonly string[] SourceNames = [.. Enum.GetNames<PredictionSource>().Select(n => n.ToLowerInvariant())];
    private static readonly string[] StatusNames = Enum.GetNames<MemberStatus>();

    private readonly Counter<long> _predictions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _fallbacks;

    public QualityPredictionMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(new MeterOptions(QualityPredictionInstruments.MeterName));
        _predictions = meter.CreateCounter<long>(QualityPredictionInstruments.Predictions, "{prediction}", "Predictions returned, by source.");
        _duration = meter.CreateHistogram<double>(
            QualityPredictionInstruments.Duration,
            "s",
            "Time to produce one prediction.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000_001, 0.000_005, 0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] });
        _fallbacks = meter.CreateCounter<long>(QualityPredictionInstruments.Fallbacks, "{fallback}", "Member calls that did not answer, by member and reason.");
    }

    public bool DurationEnabled => _duration.Enabled;

    /// <summary>The value of <see cref="QualityPredictionInstruments.SourceTag"/> for a source: its name in lower case, as in the JSON of a result.</summary>
    public static string SourceTagValue(PredictionSource source) => (uint)source < (uint)SourceNames.Length ? SourceNames[(int)source] : "default";

    public void Predicted(string predictor, PredictionSource source)
    {
        if (_predictions.Enabled)
        {
            _predictions.Add(
                1,
                new KeyValuePair<string, object?>(QualityPredictionInstruments.SourceTag, SourceTagValue(source)),
                new KeyValuePair<string, object?>(QualityPredictionInstruments.PredictorTag, predictor));
        }
    }

    public void RecordDuration(string predictor, TimeSpan elapsed)
    {
        if (_duration.Enabled)
        {
            _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(QualityPredictionInstruments.PredictorTag, predictor));
        }
    }

    public void FellBack(string predictor, string member, MemberStatus status)
    {
        if (_fallbacks.Enabled)
        {
            _fallbacks.Add(
                1,
                new KeyValuePair<string, object?>(QualityPredictionInstruments.PredictorTag, predictor),
                new KeyValuePair<string, object?>(QualityPredictionInstruments.MemberTag, member),
                new KeyValuePair<string, object?>(QualityPredictionInstruments.ErrorTypeTag, StatusNames[(int)status]));
        }
    }
}
