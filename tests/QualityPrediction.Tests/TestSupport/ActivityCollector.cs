using System.Collections.Concurrent;
using System.Diagnostics;

namespace QualityPrediction.Tests.TestSupport;

/// <summary>Listens to the library's ActivitySource and keeps the finished spans that <paramref name="keep"/> accepts (tests run in parallel: filter on a tag of your own).</summary>
internal sealed class ActivityCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();

    public ActivityCollector(Func<Activity, bool> keep)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == QualityPredictionInstruments.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (keep(activity))
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Spans => [.. _spans];

    public void Dispose() => _listener.Dispose();
}
