using System.Diagnostics.Metrics;
using QualityPrediction.Tests.TestSupport;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using QualityPrediction.Models;
using QualityPrediction.Monitoring;
using static QualityPrediction.Tests.Monitoring.MonitorTestData;

namespace QualityPrediction.Tests.Monitoring;

public class QualityMonitorTests
{
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp() => _time = new FakeTimeProvider(Start);

    [Test]
    public void Rolling_metrics_match_hand_computed_values()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { Tolerance = 5 }, _time);
        // |55-50| = 5 (within), |58-60| = 2 (within), |80-70| = 10 (outside), |80-80| = 0 (within)
        Report(monitor, (50, 55), (60, 58), (70, 80), (80, 80));

        var metric = monitor.GetSnapshot().Metrics.Single();
        Assert.Multiple(() =>
        {
            Assert.That(metric.ModelVersion, Is.EqualTo("0001"));
            Assert.That(metric.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(metric.Count, Is.EqualTo(4));
            Assert.That(metric.MeanAbsoluteError, Is.EqualTo(17.0 / 4).Within(1e-12));
            Assert.That(metric.Accuracy, Is.EqualTo(0.75).Within(1e-12));
        });
    }

    [Test]
    public void Count_window_keeps_only_the_latest_outcomes()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { WindowSize = 3, Tolerance = 5 }, _time);
        Report(monitor, (50, 55), (60, 58), (70, 80), (80, 80));

        var metric = monitor.GetSnapshot().Metrics.Single();
        Assert.Multiple(() =>
        {
            Assert.That(metric.Count, Is.EqualTo(3));
            Assert.That(metric.Total, Is.EqualTo(4));
            Assert.That(metric.MeanAbsoluteError, Is.EqualTo(12.0 / 3).Within(1e-12)); // 2, 10, 0
            Assert.That(metric.Accuracy, Is.EqualTo(2.0 / 3).Within(1e-12));
        });
    }

    [Test]
    public void Time_window_leaves_out_old_outcomes()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { WindowDuration = TimeSpan.FromMinutes(10) }, _time);
        Report(monitor, (50, 60)); // error 10
        _time.Advance(TimeSpan.FromMinutes(6));
        Report(monitor, (50, 52)); // error 2
        Assert.That(monitor.GetSnapshot().Metrics.Single().MeanAbsoluteError, Is.EqualTo(6).Within(1e-12));

        _time.Advance(TimeSpan.FromMinutes(5)); // the first is now 11 minutes old
        var metric = monitor.GetSnapshot().Metrics.Single();
        Assert.That(metric.Count, Is.EqualTo(1));
        Assert.That(metric.MeanAbsoluteError, Is.EqualTo(2).Within(1e-12));
    }

    [Test]
    public void Metrics_are_kept_per_model_version_and_source()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions(), _time);
        Report(monitor, Result(50, PredictionSource.Model, "0001"), 60);
        Report(monitor, Result(50, PredictionSource.Model, "0002"), 51);
        Report(monitor, Result(50, PredictionSource.Heuristic, null), 53);

        var metrics = monitor.GetSnapshot().Metrics;
        Assert.That(metrics.Select(m => (m.ModelVersion, m.Source, m.MeanAbsoluteError)), Is.EquivalentTo(new (string, PredictionSource, double?)[]
        {
            ("0001", PredictionSource.Model, 10),
            ("0002", PredictionSource.Model, 1),
            ("", PredictionSource.Heuristic, 3),
        }));
    }

    [Test]
    public void A_manifest_tolerance_applies_to_its_version()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { Tolerance = 5 }, _time);
        monitor.RegisterModel(Manifest("0001", tolerance: 1));
        Report(monitor, (50, 52), (50, 50.5));
        var metric = monitor.GetSnapshot().Metrics.Single();
        Assert.That(metric.Tolerance, Is.EqualTo(1));
        Assert.That(metric.Accuracy, Is.EqualTo(0.5));
    }

    [Test]
    public void Unknown_repeated_and_forgotten_ids_are_unmatched()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { RecentPredictionCapacity = 2 }, _time);
        var first = Result(50);
        var second = Result(60);
        var third = Result(70);
        foreach (var result in new[] { first, second, third })
        {
            monitor.OnPrediction("", Context(), result);
        }

        Assert.Multiple(() =>
        {
            Assert.That(monitor.ReportOutcome(first.PredictionId, 50), Is.False, "the oldest was evicted");
            Assert.That(monitor.ReportOutcome(third.PredictionId, 70), Is.True);
            Assert.That(monitor.ReportOutcome(third.PredictionId, 70), Is.False, "an outcome counts once");
            Assert.That(monitor.ReportOutcome(Guid.NewGuid(), 70), Is.False);
        });
        var snapshot = monitor.GetSnapshot();
        Assert.That(snapshot.Outcomes, Is.EqualTo(1));
        Assert.That(snapshot.UnmatchedOutcomes, Is.EqualTo(3));
        Assert.Throws<ArgumentException>(() => monitor.ReportOutcome(second.PredictionId, double.NaN));
    }

    [Test]
    public void Drift_matches_the_hand_computed_psi_per_feature()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { MinDriftSamples = 100 }, _time);
        monitor.RegisterModel(Manifest());
        // stat: 50 in bin 0, 25 in bin 1, 25 in bin 2 -> [0.5, 0.25, 0.25] against [0.25, 0.25, 0.5].
        // provider: 50 a, 25 b, 25 unknown -> [0.5, 0.25, 0.25] against [0.5, 0.5, 0 (floor 1e-4)].
        for (var i = 0; i < 100; i++)
        {
            var stat = i < 50 ? 5 : i < 75 ? 15 : 30;
            var provider = i % 4 is 0 or 1 ? "a" : i % 4 == 2 ? "b" : "somethingnew";
            monitor.OnPrediction("", Context(stat, provider), Result(50));
        }

        var drift = monitor.GetSnapshot().Drift.ToDictionary(d => d.Feature);
        Assert.Multiple(() =>
        {
            Assert.That(drift[WellKnownFeatures.StatValue].Samples, Is.EqualTo(100));
            Assert.That(drift[WellKnownFeatures.StatValue].Psi, Is.EqualTo(0.5 * Math.Log(2)).Within(1e-9));
            Assert.That(drift[WellKnownFeatures.Provider].Kind, Is.EqualTo(FeatureKind.Categorical));
            Assert.That(drift[WellKnownFeatures.Provider].Psi, Is.EqualTo(2.1285158932529735).Within(1e-9));
        });
    }

    [Test]
    public void Drift_is_not_reported_before_enough_samples_and_follows_the_window()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { MinDriftSamples = 4, DriftWindowSize = 4 }, _time);
        monitor.RegisterModel(Manifest());
        monitor.OnPrediction("", Context(30, "a"), Result(50));
        Assert.That(monitor.GetSnapshot().Drift.First(d => d.Feature == WellKnownFeatures.StatValue).Psi, Is.Null);

        // 4 values matching the training shares exactly (bins 0, 1, 2, 2) push the first out: PSI 0.
        foreach (var stat in new[] { 5.0, 15, 25, 30 })
        {
            monitor.OnPrediction("", Context(stat, "a"), Result(50));
        }

        var numeric = monitor.GetSnapshot().Drift.First(d => d.Feature == WellKnownFeatures.StatValue);
        Assert.That(numeric.Samples, Is.EqualTo(4));
        Assert.That(numeric.Psi, Is.EqualTo(0).Within(1e-12));
    }

    [Test]
    public void Health_moves_between_healthy_degraded_and_unhealthy()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { HealthWindowDuration = TimeSpan.FromMinutes(5), MaxFallbackShare = 0.2 }, _time);
        Assert.That(monitor.CheckHealth().Status, Is.EqualTo(HealthStatus.Healthy), "no predictions yet");

        for (var i = 0; i < 10; i++)
        {
            monitor.OnPrediction("", Context(), Result(50));
        }

        Assert.That(monitor.CheckHealth().Status, Is.EqualTo(HealthStatus.Healthy));

        // 3 of 13 answered by the default: 23% on fallback, above 20%.
        for (var i = 0; i < 3; i++)
        {
            monitor.OnPrediction("", Context(), Result(50, PredictionSource.Default, null));
        }

        var degraded = monitor.CheckHealth();
        Assert.That(degraded.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(degraded.Description, Does.Contain("running on fallback"));

        // The model predictions age out; only defaults remain: nothing can answer.
        _time.Advance(TimeSpan.FromMinutes(4));
        monitor.OnPrediction("", Context(), Result(50, PredictionSource.Default, null));
        _time.Advance(TimeSpan.FromMinutes(2));
        var unhealthy = monitor.CheckHealth();
        Assert.That(unhealthy.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(unhealthy.Description, Does.Contain("default"));

        // Models answer again: 1 default (4 minutes old) among 11 recent predictions is 9%, under 20%.
        for (var i = 0; i < 10; i++)
        {
            monitor.OnPrediction("", Context(), Result(50));
        }

        var healthy = monitor.CheckHealth();
        Assert.That(healthy.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(healthy.Data["recentPredictions"], Is.EqualTo(11));
    }

    [Test]
    public void Health_is_degraded_when_a_model_member_is_not_loaded_and_the_heuristic_answers()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions(), _time);
        var members = new[]
        {
            new EnsembleMemberResult("onnx", null, 1, MemberStatus.NotLoaded, "no model", PredictionSource.Model),
            new EnsembleMemberResult("heuristic", 60, 1, MemberStatus.Ok, null, PredictionSource.Heuristic),
        };
        monitor.OnPrediction("", Context(), Result(60, PredictionSource.Heuristic, null, members));

        var health = monitor.CheckHealth();
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(health.Description, Does.Contain("model not loaded: onnx"));
        Assert.That(monitor.GetSnapshot().Recent.OnFallback, Is.EqualTo(1));
    }

    [Test]
    public void Health_is_degraded_when_a_model_failed_to_load()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions(), _time);
        monitor.ReportModelStatus(new ModelStatus { Name = "onnx", State = ModelLoadState.Failed, Path = "m/quality.model.json", LastError = "hash mismatch" });
        var health = monitor.CheckHealth();
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(health.Description, Does.Contain("'onnx' failed to load (hash mismatch)"));

        monitor.ReportModelStatus(new ModelStatus { Name = "onnx", State = ModelLoadState.Loaded, Path = "m/quality.model.json", Version = "0001", Manifest = Manifest() });
        Assert.That(monitor.CheckHealth().Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(monitor.GetSnapshot().Drift, Is.Not.Empty, "a live model's manifest becomes a drift baseline");
    }

    [Test]
    public void Reads_model_statuses_from_a_status_source_at_each_health_check()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions(), _time);
        var state = ModelLoadState.Loaded;
        monitor.AddModelStatusSource(() => [new ModelStatus { Name = "onnx", State = state, Path = "m", LastError = state == ModelLoadState.Degraded ? "bad hash" : null, Version = "0001" }]);
        Assert.That(monitor.CheckHealth().Status, Is.EqualTo(HealthStatus.Healthy));
        state = ModelLoadState.Degraded;
        var health = monitor.CheckHealth();
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(health.Description, Does.Contain("failed to reload and still serves version 0001 (bad hash)"));
        monitor.AddModelStatusSource(() => throw new InvalidOperationException("a broken source is ignored"));
        Assert.That(monitor.CheckHealth().Status, Is.EqualTo(HealthStatus.Degraded));
    }

    [Test]
    public void Health_is_degraded_when_error_or_drift_pass_their_thresholds()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { MaxMeanAbsoluteError = 5, MinOutcomes = 3 }, _time);
        Report(monitor, (50, 58), (50, 58));
        Assert.That(monitor.CheckHealth().Status, Is.EqualTo(HealthStatus.Healthy), "2 outcomes are below MinOutcomes");
        Report(monitor, (50, 58));
        var health = monitor.CheckHealth();
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(health.Description, Does.Contain("rolling MAE of model quality 0001 is 8"));

        var drifting = new QualityMonitor(new QualityMonitorOptions { MinDriftSamples = 10, MaxDriftPsi = 0.25 }, _time);
        drifting.RegisterModel(Manifest());
        for (var i = 0; i < 10; i++)
        {
            drifting.OnPrediction("", Context(1000, "a"), Result(50));
        }

        var drift = drifting.CheckHealth();
        Assert.That(drift.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(drift.Description, Does.Contain("feature 'provider' drifted").Or.Contain("feature 'statValue' drifted"));
    }

    [Test]
    public void Publishes_outcomes_error_and_drift_through_the_meter()
    {
        using var meterFactory = new TestMeterFactory();
        using var outcomes = new MetricCollector<long>(meterFactory, QualityMonitor.MeterName, QualityMonitor.OutcomesCounterName);
        using var mae = new MetricCollector<double>(meterFactory, QualityMonitor.MeterName, QualityMonitor.RollingMaeGaugeName);
        using var accuracy = new MetricCollector<double>(meterFactory, QualityMonitor.MeterName, QualityMonitor.RollingAccuracyGaugeName);
        using var psi = new MetricCollector<double>(meterFactory, QualityMonitor.MeterName, QualityMonitor.DriftPsiMaxGaugeName);
        var monitor = new QualityMonitor(new QualityMonitorOptions { MinDriftSamples = 1 }, _time, meterFactory);
        monitor.RegisterModel(Manifest());

        Report(monitor, (50, 55), (60, 58), (70, 80), (80, 80));
        mae.RecordObservableInstruments();
        accuracy.RecordObservableInstruments();
        psi.RecordObservableInstruments();

        Assert.That(outcomes.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(4));
        Assert.That(outcomes.LastMeasurement!.Tags[QualityPredictionInstruments.ModelNameTag], Is.EqualTo("quality"));
        Assert.That(outcomes.LastMeasurement.Tags[QualityPredictionInstruments.ModelVersionTag], Is.EqualTo("0001"));
        Assert.That(outcomes.LastMeasurement.Tags[QualityPredictionInstruments.SourceTag], Is.EqualTo("model"));
        Assert.That(mae.LastMeasurement!.Value, Is.EqualTo(4.25).Within(1e-12));
        Assert.That(mae.LastMeasurement.Tags[QualityPredictionInstruments.ModelNameTag], Is.EqualTo("quality"));
        Assert.That(accuracy.LastMeasurement!.Value, Is.EqualTo(0.75).Within(1e-12));
        Assert.That(psi.LastMeasurement, Is.Not.Null);
        Assert.That(psi.LastMeasurement!.Tags[QualityPredictionInstruments.ModelNameTag], Is.EqualTo("quality"));
    }

    [Test]
    public void Two_models_at_the_same_version_keep_their_own_windows_tolerances_and_drift()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { Tolerance = 5, MinDriftSamples = 10 }, _time);
        monitor.RegisterModel(Manifest("0001", tolerance: 1), "quality");
        monitor.RegisterModel(Manifest("0001", tolerance: 20), "other");
        // quality 0001: error 10 (outside 1); other 0001: error 2 (within 20).
        Report(monitor, Result(50, name: "quality"), 60);
        Report(monitor, Result(50, name: "other"), 52);
        for (var i = 0; i < 10; i++)
        {
            monitor.OnPrediction("", Context(1000, "a"), Result(50, name: "quality")); // drifts for quality only
            monitor.OnPrediction("", Context(15, "a"), Result(50, name: "other"));
        }

        var snapshot = monitor.GetSnapshot();
        Assert.That(snapshot.Metrics.Select(m => (m.ModelName, m.ModelVersion, m.MeanAbsoluteError, m.Accuracy, m.Tolerance)), Is.EquivalentTo(new (string, string, double?, double?, double)[]
        {
            ("quality", "0001", 10, 0, 1),
            ("other", "0001", 2, 1, 20),
        }));
        var psi = snapshot.Drift.Where(d => d.Feature == WellKnownFeatures.StatValue).ToDictionary(d => d.ModelName, d => d.Psi);
        double[] training = [0.25, 0.25, 0.5];
        Assert.That(psi["quality"], Is.EqualTo(DriftStatistics.PopulationStabilityIndex(training, [1, 0, 10])).Within(1e-12), "quality's contexts: one in the first bin (the reported one), ten in the top bin");
        Assert.That(psi["other"], Is.EqualTo(DriftStatistics.PopulationStabilityIndex(training, [1, 10, 0])).Within(1e-12), "other's contexts: one in the first bin, ten in the middle bin");
        Assert.That(snapshot.Drift.Where(d => d.Feature == WellKnownFeatures.StatValue).Select(d => d.Samples), Is.All.EqualTo(11), "each version saw only its own predictions");
    }

    [Test]
    public void A_hot_reload_retires_the_old_versions_drift_and_windows_so_health_reflects_what_serves_now()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { MinDriftSamples = 10, MaxDriftPsi = 0.25, MaxMeanAbsoluteError = 5, MinOutcomes = 3 }, _time);
        monitor.ReportModelStatus(Loaded("0001"));
        for (var i = 0; i < 10; i++)
        {
            monitor.OnPrediction("", Context(1000, "a"), Result(50, version: "0001")); // 0001 sees drifted contexts
        }

        Report(monitor, (50, 70), (50, 70), (50, 70)); // and large errors
        Assert.That(monitor.CheckHealth().Status, Is.EqualTo(HealthStatus.Degraded));

        monitor.ReportModelStatus(Loaded("0002")); // the hot reload: 0002 serves, 0001 no longer does
        for (var i = 0; i < 10; i++)
        {
            monitor.OnPrediction("", Context(i % 4 == 0 ? 5 : i % 4 == 1 ? 15 : 25, i % 2 == 0 ? "a" : "b"), Result(50, version: "0002"));
        }

        var late = Result(50, version: "0001");
        monitor.OnPrediction("", Context(), late);
        monitor.ReportOutcome(late.PredictionId, 90); // a late outcome of the retired version joins no window

        var snapshot = monitor.GetSnapshot();
        Assert.That(snapshot.Drift.Select(d => d.ModelVersion).Distinct(), Is.EqualTo(new[] { "0002" }), "only the serving version is tracked");
        Assert.That(snapshot.Metrics.Select(m => m.ModelVersion), Has.None.EqualTo("0001"));
        Assert.That(snapshot.Outcomes, Is.EqualTo(4), "the late outcome still counts");
        var health = monitor.CheckHealth();
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy), health.Description);

        monitor.ReportModelStatus(new ModelStatus { Name = "quality", State = ModelLoadState.Failed, Path = "m", LastError = "gone" });
        Assert.That(monitor.GetSnapshot().Drift, Is.Empty, "nothing serves: no version is tracked");
    }

    [Test]
    public void A_prediction_feeds_only_the_trackers_of_the_versions_that_scored_it()
    {
        var monitor = new QualityMonitor(new QualityMonitorOptions { MinDriftSamples = 1 }, _time);
        monitor.AddModelStatusSource(() => [Loaded("0001", "onnx"), Loaded("0007", "mlnet")]);
        _ = monitor.GetSnapshot();
        var members = new[]
        {
            new EnsembleMemberResult("onnx", 50, 1, MemberStatus.Ok, null, PredictionSource.Model, "0001"),
            new EnsembleMemberResult("rules", 55, 1, MemberStatus.Ok, null, PredictionSource.Heuristic),
        };
        monitor.OnPrediction("", Context(), Result(52, PredictionSource.Ensemble, null, members) with { ModelName = "ensemble" });
        monitor.OnPrediction("", Context(), Result(52, version: "0007") with { ModelName = "mlnet" });
        monitor.OnPrediction("", Context(), Result(52, PredictionSource.Heuristic, null) with { ModelName = "rules" });

        var samples = monitor.GetSnapshot().Drift.Where(d => d.Feature == WellKnownFeatures.StatValue).ToDictionary(d => (d.ModelName, d.ModelVersion), d => d.Samples);
        Assert.That(samples, Is.EquivalentTo(new Dictionary<(string, string), int> { [("onnx", "0001")] = 1, [("mlnet", "0007")] = 1 }));
    }

    private static ModelStatus Loaded(string version, string name = "quality") =>
        new() { Name = name, State = ModelLoadState.Loaded, Path = "m", Version = version, Manifest = Manifest(version) };

    private static void Report(QualityMonitor monitor, params (double Score, double Observed)[] pairs)
    {
        foreach (var (score, observed) in pairs)
        {
            Report(monitor, Result(score), observed);
        }
    }

    private static void Report(QualityMonitor monitor, QualityPredictionResult result, double observed)
    {
        monitor.OnPrediction("", Context(), result);
        Assert.That(monitor.ReportOutcome(result.PredictionId, observed), Is.True);
    }
}
