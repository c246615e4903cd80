namespace QualityPrediction.Monitoring.Internal;

/// <summary>The latest N absolute errors of one model version and source, with their timestamps. Thread-safe.</summary>
internal sealed class RollingWindow(int capacity)
{
    private readonly double[] _errors = new double[capacity];
    private readonly long[] _ticks = new long[capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;
    private long _total;

    public void Add(double absoluteError, DateTimeOffset timestamp)
    {
        lock (_lock)
        {
            _errors[_next] = absoluteError;
            _ticks[_next] = timestamp.UtcTicks;
            _next = (_next + 1) % _errors.Length;
            _count = Math.Min(_count + 1, _errors.Length);
            _total++;
        }
    }

    /// <summary>Computes the window's metrics, leaving out entries older than <paramref name="notBefore"/>.</summary>
    public (int Count, long Total, double? Mae, double? Accuracy) Compute(double tolerance, DateTimeOffset? notBefore)
    {
        lock (_lock)
        {
            var minTicks = notBefore?.UtcTicks ?? long.MinValue;
            int count = 0, within = 0;
            var sum = 0.0;
            for (var i = 0; i < _count; i++)
            {
                if (_ticks[i] < minTicks)
                {
                    continue;
                }

                count++;
                sum += _errors[i];
                if (_errors[i] <= tolerance)
                {
                    within++;
                }
            }

            return count == 0 ? (0, _total, null, null) : (count, _total, sum / count, (double)within / count);
        }
    }
}
