using System.Diagnostics.Metrics;

namespace QualityPrediction.Tests.TestSupport;

/// <summary>A minimal <see cref="IMeterFactory"/> (the real one lives in Microsoft.Extensions.Diagnostics, which the core does not need).</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
