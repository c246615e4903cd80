using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QualityPrediction.Feedback;
using QualityPrediction.Monitoring;
using QualityPrediction.Tests.TestSupport;

namespace QualityPrediction.Tests.Monitoring;

/// <summary>The composed predictor, the monitor and the embedded feedback store wired together through DI.</summary>
public class EndToEndMonitoringTests
{
    [Test]
    public async Task Predictions_and_outcomes_reach_the_monitor_and_the_store()
    {
        var folder = Path.Combine(Path.GetTempPath(), "qp-e2e-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var services = new ServiceCollection().AddLogging().AddSingleton<System.Diagnostics.Metrics.IMeterFactory, TestMeterFactory>();
            services.AddQualityPrediction().AddQualityMonitor(o => o.Tolerance = 100).AddFeedbackStore(folder);
            var ids = new List<Guid>();
            await using (var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }))
            {
                var predictor = provider.GetRequiredService<IQualityPredictor>();
                var outcomes = provider.GetRequiredService<IOutcomeReporter>();
                for (var i = 0; i < 5; i++)
                {
                    var result = await predictor.PredictAsync(new PredictionContext().WithProvider("openai").WithStat("strength", i));
                    Assert.That(result.PredictionId, Is.Not.EqualTo(Guid.Empty));
                    ids.Add(result.PredictionId);
                    Assert.That(outcomes.ReportOutcome(result.PredictionId, result.Score + i), Is.True);
                }

                var snapshot = provider.GetRequiredService<QualityMonitor>().GetSnapshot();
                Assert.That(snapshot.Predictions, Is.EqualTo(5));
                Assert.That(snapshot.Outcomes, Is.EqualTo(5));
                Assert.That(snapshot.Metrics.Sum(m => m.Count), Is.EqualTo(5));
                Assert.That(snapshot.Metrics.Single().MeanAbsoluteError, Is.EqualTo((0 + 1 + 2 + 3 + 4) / 5.0).Within(1e-9));
                var health = await provider.GetRequiredService<QualityMonitorHealthCheck>().CheckHealthAsync(new HealthCheckContext());
                Assert.That(health.Status, Is.Not.EqualTo(HealthStatus.Unhealthy), health.Description);
            }

            using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = folder });
            var rows = await store.ReadJoinedAsync().ToListAsync();
            Assert.That(rows.Select(r => r.Prediction.PredictionId), Is.EquivalentTo(ids));
            Assert.That(rows[0].Prediction.Features["provider"], Is.EqualTo((FeatureValue)"openai"));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
