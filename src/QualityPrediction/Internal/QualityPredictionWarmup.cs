using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace QualityPrediction.Internal;

/// <summary>
/// Builds every registered composed predictor when the host starts (after the model catalog has started the models'
/// first loads and waited for them), so that configuration problems — a range that differs from a model's, a broken
/// outcomes file — stop the start instead of surfacing at the first prediction.
/// </summary>
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
