using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QualityPrediction.Monitoring;

/// <summary>
/// Reports the <see cref="QualityMonitor"/>'s verdict (<see cref="QualityMonitor.CheckHealth"/>) as a health check.
/// Register it with <c>services.AddHealthChecks().AddCheck&lt;QualityMonitorHealthCheck&gt;("quality-prediction")</c>.
/// </summary>
/// <param name="monitor">The monitor.</param>
public sealed class QualityMonitorHealthCheck(QualityMonitor monitor) : IHealthCheck
{
    private readonly QualityMonitor _monitor = monitor ?? throw new ArgumentNullException(nameof(monitor));

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_monitor.CheckHealth());
}
