using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace QualityPrediction.Internal;

/// <summary>Builds every registered composed predictor when the host starts (fitting the heuristic, creating model members), so problems surface at start.</summary>
internal sealed class QualityPredictionWarmup(IServiceProvider services, QualityPredictionRegistrations registrations) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var name in registrations.Names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _ = services.GetRequiredKeyedService<IQualityPredictor>(name);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
