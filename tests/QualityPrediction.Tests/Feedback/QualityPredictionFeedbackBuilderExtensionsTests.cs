using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QualityPrediction.DependencyInjection;
using QualityPrediction.Feedback;
using QualityPrediction.Monitoring;
using QualityPrediction.Tests.TestSupport;
using static QualityPrediction.Tests.Feedback.FeedbackTestData;

namespace QualityPrediction.Tests.Feedback;

public class QualityPredictionFeedbackBuilderExtensionsTests
{
    [Test]
    public async Task Wires_the_observers_writer_monitor_health_check_and_outcome_reporter()
    {
        var folder = NewFolder();
        try
        {
            var services = new ServiceCollection().AddLogging().AddSingleton<System.Diagnostics.Metrics.IMeterFactory, TestMeterFactory>();
            var builder = new TestBuilder(services);
            builder.AddFeedbackStore(folder, o => o.RetryInterval = TimeSpan.FromSeconds(1)).AddQualityMonitor(o => o.Tolerance = 2);
            builder.AddFeedbackStore(folder).AddQualityMonitor(); // twice is harmless

            await using (var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }))
            {
                var observers = provider.GetServices<IPredictionObserver>().ToList();
                Assert.That(observers, Has.Count.EqualTo(2));
                Assert.That(observers, Has.One.SameAs(provider.GetRequiredService<QualityMonitor>()));
                Assert.That(provider.GetServices<IHostedService>().Single(), Is.SameAs(provider.GetRequiredService<FeedbackWriter>()));
                Assert.That(provider.GetRequiredService<QualityMonitorHealthCheck>(), Is.Not.Null);

                // What a composed predictor does after each prediction, then what the host does when the outcome is known.
                var context = new PredictionContext().WithProvider("openai").WithStat("strength", 12);
                var result = new QualityPredictionResult { Score = 60, Confidence = 0.5, Source = PredictionSource.Model, ModelVersion = "0001", PredictionId = Guid.NewGuid(), Timestamp = Start };
                foreach (var observer in observers)
                {
                    observer.OnPrediction("", context, result);
                }

                Assert.That(provider.GetRequiredService<IOutcomeReporter>().ReportOutcome(result.PredictionId, 61), Is.True);
                var metric = provider.GetRequiredService<QualityMonitor>().GetSnapshot().Metrics.Single();
                Assert.That(metric.MeanAbsoluteError, Is.EqualTo(1));
                Assert.That(metric.Accuracy, Is.EqualTo(1));
            }

            // Disposing the container flushed the writer into the embedded store.
            using var store = new JsonLinesFeedbackStore(new JsonLinesFeedbackStoreOptions { Folder = folder });
            var row = (await store.ReadJoinedAsync().ToListAsync()).Single();
            Assert.That(row.Prediction.Features["provider"], Is.EqualTo((FeatureValue)"openai"));
            Assert.That(row.Outcome.Observed, Is.EqualTo(61));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class TestBuilder(IServiceCollection services) : IQualityPredictionBuilder
    {
        public string Name => "";

        public IServiceCollection Services { get; } = services;
    }
}
