namespace QualityPrediction.Monitoring.Internal;

/// <summary>A bounded map from prediction id to what is needed to score its outcome; evicts the oldest. Thread-safe.</summary>
internal sealed class RecentPredictionMap(int capacity)
{
    private readonly Dictionary<Guid, Entry> _entries = [];
    private Queue<Guid> _order = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public void Add(Guid id, Entry entry)
    {
        lock (_lock)
        {
            if (!_entries.TryAdd(id, entry))
            {
                return;
            }

            _order.Enqueue(id);
            while (_entries.Count > capacity && _order.TryDequeue(out var oldest))
            {
                _entries.Remove(oldest);
            }

            // Ids removed by an outcome stay in the queue; compact it when they dominate (amortized O(1)).
            if (_order.Count > 2 * capacity)
            {
                _order = new Queue<Guid>(_order.Where(_entries.ContainsKey));
            }
        }
    }

    /// <summary>Removes and returns the entry, so an outcome is counted once.</summary>
    public bool TryTake(Guid id, out Entry entry)
    {
        lock (_lock)
        {
            return _entries.Remove(id, out entry);
        }
    }

    internal readonly record struct Entry(double Score, PredictionSource Source, string? ModelName, string? ModelVersion);
}
