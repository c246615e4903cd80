using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QualityPrediction.Models;

namespace QualityPrediction.Internal;

/// <summary>
/// Builds every registered composed predictor when the host starts (fitting the heuristic, creating model members), so
/// problems surface at start; then waits, up to <see cref="QualityPredictionOptions.ModelLoadWaitAtStart"/>, for the
/// model members' first load, so the first requests are not answered by the fallback only because a model was still loading.
/// </summary>
internal sealed class QualityPredictionWarmup(IServiceProvider services, QualityPredictionRegistrations registrations) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var wait = TimeSpan.Zero;
        var options = services.GetRequiredService<IOptionsMonitor<QualityPredictionOptions>>();
        foreach (var name in registrations.Names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _ = services.GetRequiredKeyedService<IQualityPredictor>(name);
            var configured = options.Get(name);
            if (configured.Models.Count > 0 && configured.ModelLoadWaitAtStart > wait)
            {
                wait = configured.ModelLoadWaitAtStart;
            }
        }

        if (wait <= TimeSpan.Zero || services.GetService<IModelPredictorFactory>() is not ModelPredictorFactory factory)
        {
            return;
        }

        var loads = factory.Predictors.Select(p => p.WaitForInitialLoadAsync(cancellationToken));
        try
        {
            await Task.WhenAll(loads).WaitAsync(wait, services.GetService<TimeProvider>() ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still loading: the fallback answers until the load completes; the model's status says so.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
