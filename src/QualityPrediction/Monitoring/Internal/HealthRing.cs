namespace QualityPrediction.Monitoring.Internal;

/// <summary>The sources of the latest N predictions, for the health check. Thread-safe.</summary>
internal sealed class HealthRing(int capacity)
{
    private readonly Entry[] _entries = new Entry[capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;
    private IReadOnlyList<string> _notLoaded = [];
    private DateTimeOffset _latest;

    public void Add(QualityPredictionResult result, DateTimeOffset now)
    {
        var onFallback = result.Source == PredictionSource.Default;
        List<string>? notLoaded = null;
        foreach (var member in result.Members)
        {
            if (member.Source == PredictionSource.Model && member.Status is MemberStatus.Failed or MemberStatus.TimedOut or MemberStatus.CircuitOpen or MemberStatus.NotLoaded)
            {
                onFallback = true;
                if (member.Status == MemberStatus.NotLoaded)
                {
                    (notLoaded ??= []).Add(member.Name);
                }
            }
        }

        lock (_lock)
        {
            _entries[_next] = new Entry(now, result.Source, onFallback);
            _next = (_next + 1) % _entries.Length;
            _count = Math.Min(_count + 1, _entries.Length);
            _notLoaded = notLoaded ?? (IReadOnlyList<string>)[];
            _latest = now;
        }
    }

    public RecentPredictions Summarize(DateTimeOffset notBefore)
    {
        lock (_lock)
        {
            int count = 0, model = 0, heuristic = 0, ensemble = 0, fallback = 0, @default = 0;
            for (var i = 0; i < _count; i++)
            {
                var entry = _entries[i];
                if (entry.Timestamp < notBefore)
                {
                    continue;
                }

                count++;
                fallback += entry.OnFallback ? 1 : 0;
                switch (entry.Source)
                {
                    case PredictionSource.Model: model++; break;
                    case PredictionSource.Heuristic: heuristic++; break;
                    case PredictionSource.Ensemble: ensemble++; break;
                    default: @default++; break;
                }
            }

            return new RecentPredictions(count, model, heuristic, ensemble, @default, fallback, _count > 0 && _latest >= notBefore ? _notLoaded : []);
        }
    }

    private readonly record struct Entry(DateTimeOffset Timestamp, PredictionSource Source, bool OnFallback);
}
