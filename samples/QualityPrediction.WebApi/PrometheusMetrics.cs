using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace QualityPrediction.WebApi;

/// <summary>
/// Collects the measurements of this app's meters (those created by its <see cref="IMeterFactory"/> with one of the
/// configured names) with a <see cref="MeterListener"/>, and writes them in the Prometheus text exposition format 0.0.4.
/// </summary>
/// <remarks>
/// Counters become <c>*_total</c> counters, up-down counters and observable gauges become gauges (observed at each scrape),
/// histograms become summaries without quantiles (<c>_count</c> and <c>_sum</c>). Names swap dots for underscores and
/// get a unit suffix for seconds and bytes. A real deployment would use OpenTelemetry's exporter instead; this keeps the
/// sample to the shared framework.
/// </remarks>
internal sealed class PrometheusMetrics : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, ConcurrentDictionary<string, Series>> _series = new();
    private readonly Lock _scrapeGate = new();

    public PrometheusMetrics(IMeterFactory meterFactory, IReadOnlyCollection<string> meterNames)
    {
        var names = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && names.Contains(instrument.Meter.Name))
            {
                _series.TryAdd(instrument, new ConcurrentDictionary<string, Series>(StringComparer.Ordinal));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _series.TryRemove(instrument, out ConcurrentDictionary<string, Series>? _);
        _listener.SetMeasurementEventCallback<long>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<int>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<double>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<float>((i, m, t, _) => Record(i, m, t));
        _listener.Start();
    }

    /// <summary>Observes the observable instruments and writes every series.</summary>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            foreach (var (instrument, series) in _series)
            {
                if (instrument.IsObservable)
                {
                    series.Clear(); // a gauge series that is no longer observed disappears
                }
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var (instrument, series) in _series.OrderBy(p => p.Key.Name, StringComparer.Ordinal))
            {
                if (series.IsEmpty)
                {
                    continue;
                }

                var kind = KindOf(instrument);
                var name = NameOf(instrument, kind);
                if (!string.IsNullOrEmpty(instrument.Description))
                {
                    text.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
                }

                text.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');
                foreach (var (labels, value) in series.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (kind == "summary")
                    {
                        Line(text, name + "_count", labels, value.Count);
                        Line(text, name + "_sum", labels, value.Sum);
                    }
                    else
                    {
                        Line(text, name, labels, value.Sum);
                    }
                }
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record<T>(Instrument instrument, T measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        if (!_series.TryGetValue(instrument, out var series))
        {
            return;
        }

        var value = Convert.ToDouble(measurement, CultureInfo.InvariantCulture);
        var entry = series.GetOrAdd(Labels(tags), static _ => new Series());
        lock (entry)
        {
            if (instrument.IsObservable)
            {
                entry.Sum = value; // observable counters and gauges report their current value
            }
            else
            {
                entry.Sum += value;
            }

            entry.Count++;
        }
    }

    private static string KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (definition == typeof(Histogram<>))
        {
            return "summary";
        }

        return definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>) ? "counter" : "gauge";
    }

    private static string NameOf(Instrument instrument, string kind)
    {
        var name = new StringBuilder(instrument.Name.Length + 8);
        foreach (var c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        var suffix = instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => "",
        };
        if (suffix.Length > 0 && !name.ToString().EndsWith(suffix, StringComparison.Ordinal))
        {
            name.Append(suffix);
        }

        if (kind == "counter")
        {
            name.Append("_total");
        }

        return name.ToString();
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var sorted = tags.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder("{");
        foreach (var (key, value) in sorted)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            foreach (var c in key)
            {
                text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
            }

            text.Append("=\"");
            var raw = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            text.Append(raw.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
            text.Append('"');
        }

        return text.Append('}').ToString();
    }

    private static void Line(StringBuilder text, string name, string labels, double value) =>
        text.Append(name).Append(labels).Append(' ')
            .Append(double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf")
            .Append('\n');

    private sealed class Series
    {
        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
