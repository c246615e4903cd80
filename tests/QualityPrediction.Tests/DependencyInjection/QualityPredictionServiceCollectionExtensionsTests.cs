using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using QualityPrediction.Ensemble;
using QualityPrediction.Heuristics;
using QualityPrediction.Internal;
using QualityPrediction.Models;
using QualityPrediction.Monitoring;
using QualityPrediction.Tests.TestSupport;

namespace QualityPrediction.Tests.DependencyInjection;

public sealed class QualityPredictionServiceCollectionExtensionsTests
{
    private static readonly PredictionContext Context = new PredictionContext().WithProvider("openai").WithModel("gpt-4o").WithActionType("explore").WithStat("wits", 14);

    private static IConfigurationSection Section(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection(QualityPredictionOptions.SectionName);

    private static ServiceProvider Build(string json, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        configure?.Invoke(services);
        services.AddQualityPrediction(Section(json));
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static void Start(IServiceProvider services) => services.GetRequiredService<IStartupValidator>().Validate();

    [Test]
    public void Binds_every_section_from_json_and_composes_the_predictor()
    {
        const string Json = """
        {
          "QualityPrediction": {
            "MinScore": 0, "MaxScore": 100, "Tolerance": 4,
            "Heuristic": {
              "Mode": "Rules",
              "Rules": {
                "BaseScore": 60,
                "Adjustments": { "provider": { "openai": 5, "mistral": -5 } },
                "Numeric": { "statValue": { "Weight": 0.5, "Center": 10 } },
                "Confidence": 0.35,
                "IntervalHalfWidth": 8
              },
              "Fit": { "Hierarchy": [ "provider" ], "Factors": [ "rollType" ], "Shrinkage": 4 }
            },
            "Ensemble": {
              "Strategy": "WeightedAverage",
              "MemberTimeout": "00:00:00.100",
              "CircuitBreaker": { "MinimumThroughput": 4, "BreakDuration": "00:00:05" },
              "DefaultScore": 40
            }
          }
        }
        """;
        using var services = Build(Json);
        Start(services);

        var options = services.GetRequiredService<IOptions<QualityPredictionOptions>>().Value;
        Assert.That(options.Tolerance, Is.EqualTo(4));
        Assert.That(options.Heuristic.Rules.Adjustments["provider"]["mistral"], Is.EqualTo(-5));
        Assert.That(options.Heuristic.Rules.Numeric["statValue"].Weight, Is.EqualTo(0.5));
        Assert.That(options.Heuristic.Fit.Hierarchy, Is.EqualTo(new[] { "provider" }), "a list in configuration replaces the default instead of being appended to it");
        Assert.That(options.Heuristic.Fit.Factors, Is.EqualTo(new[] { "rollType" }));
        Assert.That(options.Ensemble.Strategy, Is.EqualTo(EnsembleStrategy.WeightedAverage));
        Assert.That(options.Ensemble.MemberTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
        Assert.That(options.Ensemble.CircuitBreaker.MinimumThroughput, Is.EqualTo(4));
        Assert.That(options.Ensemble.CircuitBreaker.BreakDuration, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(options.Ensemble.DefaultScore, Is.EqualTo(40));

        var predictor = services.GetRequiredService<IQualityPredictor>();
        var result = predictor.Predict(Context);
        Assert.That(predictor, Is.InstanceOf<EnsemblePredictor>());
        Assert.That(result.Score, Is.EqualTo(60 + 5 + (0.5 * (14 - 10))));
        Assert.That(result.Confidence, Is.EqualTo(0.35));
        Assert.That(result.Source, Is.EqualTo(PredictionSource.Heuristic));
        Assert.That(result.Members.Single().Status, Is.EqualTo(MemberStatus.Ok));
    }

    [TestCase("""{ "QualityPrediction": { "Tolerence": 3 } }""", "Tolerence")]
    [TestCase("""{ "QualityPrediction": { "Heuristic": { "Rulez": { "BaseScore": 1 } } } }""", "Rulez")]
    [TestCase("""{ "QualityPrediction": { "Ensemble": { "CircuitBreaker": { "BreakSeconds": 3 } } } }""", "BreakSeconds")]
    public void An_unknown_key_is_an_error_naming_it(string json, string key)
    {
        using var services = Build(json);

        Assert.That(() => Start(services), Throws.TypeOf<OptionsValidationException>().With.Message.Contains(key));
    }

    // Issue 12, item 4: a misspelled key, a bad enum value and a bad TimeSpan gave the binder's raw text (one at a time,
    // with a stack trace). Now one OptionsValidationException lists every problem with its path, its value and what to fix.
    [Test]
    public void Configuration_typos_are_reported_together_each_with_its_path_value_and_fix()
    {
        using var services = Build("""
            { "QualityPrediction": {
                "Tolerence": 3,
                "Heuristic": { "Mode": "Fited" },
                "Ensemble": { "MemberTimeout": "250ms" } } }
            """);

        var ex = Assert.Throws<OptionsValidationException>(() => Start(services))!;

        Assert.That(ex.Failures.ToList(), Has.Count.EqualTo(3), string.Join(Environment.NewLine, ex.Failures));
        Assert.That(ex.Failures, Has.Some.Contains("QualityPrediction:Tolerence is not an option (did you mean 'Tolerance'?)").And.Contains("the keys of QualityPrediction are"));
        Assert.That(ex.Failures, Has.Some.Contains("QualityPrediction:Heuristic:Mode ('Fited') must be one of Rules, Fitted, None (did you mean 'Fitted'?)"));
        Assert.That(ex.Failures, Has.Some.Contains("QualityPrediction:Ensemble:MemberTimeout ('250ms') is not a TimeSpan").And.Contains("00:00:00.250"));
        Assert.That(ex.Message, Does.Not.Contain("ErrorOnUnknownConfiguration"));
    }

    [Test]
    public void A_range_check_is_reported_once()
    {
        using var services = Build("""{ "QualityPrediction": { "Tolerance": -1 } }""");

        var ex = Assert.Throws<OptionsValidationException>(() => Start(services))!;

        Assert.That(ex.Failures.Count(f => f.Contains("Tolerance", StringComparison.Ordinal)), Is.EqualTo(1), string.Join(Environment.NewLine, ex.Failures));
        Assert.That(ex.Failures.Single(), Does.StartWith("QualityPrediction:Tolerance (-1) must be a positive number"));
        Assert.That(ex.Message, Does.Not.Contain("5E-324"));
    }

    private static IEnumerable<TestCaseData> InvalidConfigurations()
    {
        yield return new TestCaseData("""{ "MinScore": 100, "MaxScore": 0 }""", "QualityPrediction:MinScore (100) must be a finite number below QualityPrediction:MaxScore (0)").SetName("MinScore not below MaxScore");
        yield return new TestCaseData("""{ "Tolerance": 0 }""", "QualityPrediction:Tolerance (0) must be a positive number").SetName("Tolerance not positive");
        yield return new TestCaseData("""{ "Ensemble": { "DefaultScore": 150 } }""", "QualityPrediction:Ensemble:DefaultScore (150) must lie within [QualityPrediction:MinScore, QualityPrediction:MaxScore] = [0, 100]").SetName("DefaultScore outside the range");
        yield return new TestCaseData("""{ "Ensemble": { "MemberTimeout": "00:00:00" } }""", "MemberTimeout").SetName("MemberTimeout zero (data annotations)");
        yield return new TestCaseData("""{ "Ensemble": { "CircuitBreaker": { "FailureRatio": 2 } } }""", "FailureRatio").SetName("FailureRatio above 1 (data annotations)");
        yield return new TestCaseData("""{ "Heuristic": { "Mode": "Fitted" } }""", "QualityPrediction:Heuristic:Mode is Fitted, so set QualityPrediction:Heuristic:ModelPath").SetName("Fitted without a file");
        yield return new TestCaseData("""{ "Heuristic": { "Mode": "Fitted", "ModelPath": "no-such-heuristic.json" } }""", "QualityPrediction:Heuristic:ModelPath ('no-such-heuristic.json'): the file").SetName("Fitted model file missing");
        yield return new TestCaseData("""{ "Heuristic": { "Mode": "Fitted", "OutcomesPath": "no-such-outcomes.jsonl" } }""", "QualityPrediction:Heuristic:OutcomesPath ('no-such-outcomes.jsonl'): the file").SetName("Outcomes file missing");
        yield return new TestCaseData("""{ "Heuristic": { "Mode": "Fitted", "OutcomesPath": "QualityPrediction.Tests.dll", "Fit": { "Factors": [ "model" ] } } }""", "QualityPrediction:Heuristic:Fit:Factors lists 'model', which is also in QualityPrediction:Heuristic:Fit:Hierarchy").SetName("Factor also in the hierarchy");
        yield return new TestCaseData("""{ "Heuristic": { "Mode": "Fitted", "OutcomesPath": "QualityPrediction.Tests.dll", "Fit": { "Coverage": 1 } } }""", "QualityPrediction:Heuristic:Fit:Coverage (1) must be between 0 and 1").SetName("Coverage of 1");
        yield return new TestCaseData("""{ "Heuristic": { "Rules": { "Confidence": 1.5 } } }""", "QualityPrediction:Heuristic:Rules:Confidence (1.5) must be within [0, 1]").SetName("Rules confidence above 1");
        yield return new TestCaseData("""{ "Models": [ { "Path": "m.model.json" } ] }""", "QualityPrediction:Models:0:Name ('') is required").SetName("Model without a name");
        yield return new TestCaseData("""{ "Models": [ { "Name": "a" } ] }""", "QualityPrediction:Models:0:Path ('') is required").SetName("Model without a path");
        yield return new TestCaseData("""{ "Models": [ { "Name": "a", "Path": "x" }, { "Name": "A", "Path": "y" } ] }""", "QualityPrediction:Models:1:Name ('A') is already used").SetName("Duplicate model names");
        yield return new TestCaseData("""{ "Models": [ { "Name": "a", "Path": "x" } ] }""", "reference the QualityPrediction.Onnx or QualityPrediction.MLNet package and call AddOnnxModel(...) or AddMLNetModel(...)").SetName("Models without a runtime");
    }

    [TestCaseSource(nameof(InvalidConfigurations))]
    public void Invalid_options_fail_at_start_with_a_message_saying_what_to_fix(string section, string expected)
    {
        using var services = Build($$"""{ "QualityPrediction": {{section}} }""");

        var ex = Assert.Throws<OptionsValidationException>(() => Start(services));

        Assert.That(ex!.Failures, Has.Some.Contains(expected), string.Join(Environment.NewLine, ex.Failures));
    }

    [Test]
    public void Defaults_are_valid_and_answer_from_the_configured_rules()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction();
        using var provider = services.BuildServiceProvider();

        Start(provider);
        var result = provider.GetRequiredService<IQualityPredictor>().Predict(Context);

        Assert.That(result.Score, Is.EqualTo(70));
        Assert.That(result.ConfidenceKind, Is.EqualTo(ConfidenceKind.Configured));
    }

    [Test]
    public void Calling_twice_is_harmless()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IModelRuntime, UnreachableRuntime>();
        var section = Section("""{ "QualityPrediction": { "Models": [ { "Name": "a", "Path": "a.model.json" } ], "Heuristic": { "Fit": { "Factors": [ "rollType" ] } } } }""");

        var first = services.AddQualityPrediction(section);
        var second = services.AddQualityPrediction(section);
        services.AddQualityPrediction();
        using var provider = services.BuildServiceProvider();
        Start(provider);

        Assert.That(services.Count(d => d.ServiceType == typeof(IQualityPredictor) && !d.IsKeyedService), Is.EqualTo(1));
        Assert.That(services.Count(d => d.ServiceType == typeof(IQualityPredictor) && d.IsKeyedService), Is.EqualTo(1));
        var options = provider.GetRequiredService<IOptions<QualityPredictionOptions>>().Value;
        Assert.That(options.Models, Has.Count.EqualTo(1));
        Assert.That(options.Heuristic.Fit.Factors, Is.EqualTo(new[] { "rollType" }));
        Assert.That((first.Name, second.Name), Is.EqualTo((string.Empty, string.Empty)));
        Assert.That(first.Services, Is.SameAs(services));
    }

    [Test]
    public void Named_predictors_coexist_as_keyed_services()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction("cheap", o => o.Heuristic.Rules.BaseScore = 40);
        services.AddQualityPrediction("premium", o => o.Heuristic.Rules.BaseScore = 85);
        services.AddQualityPrediction(o => o.Heuristic.Rules.BaseScore = 55);
        using var provider = services.BuildServiceProvider();
        Start(provider);

        var cheap = provider.GetRequiredKeyedService<IQualityPredictor>("cheap");
        var premium = provider.GetRequiredKeyedService<IQualityPredictor>("premium");

        Assert.That(cheap.Name, Is.EqualTo("cheap"));
        Assert.That(cheap.Predict(Context).Score, Is.EqualTo(40));
        Assert.That(premium.Predict(Context).Score, Is.EqualTo(85));
        Assert.That(provider.GetRequiredService<IQualityPredictor>().Predict(Context).Score, Is.EqualTo(55));
        Assert.That(provider.GetRequiredKeyedService<IQualityPredictor>("cheap"), Is.SameAs(cheap), "singleton per name");
    }

    [Test]
    public void A_named_predictor_is_validated_under_its_own_name()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction("scenes", o => (o.MinScore, o.MaxScore) = (200, 100));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => Start(provider));

        Assert.That(ex!.Failures, Has.Some.Contains("QualityPrediction[scenes]:MinScore (200)"));
    }

    [Test]
    public void A_fitted_heuristic_is_fitted_from_the_outcomes_file_at_start()
    {
        var path = WriteOutcomes(Path.Combine(AppContext.BaseDirectory, $"outcomes-{Guid.NewGuid():N}.jsonl"));
        try
        {
            using var services = Build($$"""{ "QualityPrediction": { "Heuristic": { "Mode": "Fitted", "OutcomesPath": "{{Path.GetFileName(path)}}" } } }""");
            Start(services);

            var seen = services.GetRequiredService<IQualityPredictor>().Predict(Context);
            var unseen = services.GetRequiredService<IQualityPredictor>().Predict(new PredictionContext().WithProvider("newcorp"));

            Assert.That(seen.Basis, Is.EqualTo("model:gpt-4o"));
            Assert.That(seen.Score, Is.EqualTo(65).Within(2));
            Assert.That(seen.ConfidenceKind, Is.EqualTo(ConfidenceKind.Calibrated));
            Assert.That(unseen.Basis, Is.EqualTo("global"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_fitted_heuristic_is_loaded_from_its_json_file()
    {
        var (contexts, targets) = OutcomeGenerator.Generate(10, seed: 5);
        var model = FittedHeuristicModel.Fit(contexts, targets, new HeuristicFitOptions(), ScoreRange.Percent, 5);
        var path = Path.Combine(Path.GetTempPath(), $"heuristic-{Guid.NewGuid():N}.json");
        model.Save(path);
        try
        {
            using var services = Build($$"""{ "QualityPrediction": { "Heuristic": { "Mode": "Fitted", "ModelPath": {{JsonSerializer.Serialize(path)}} } } }""");
            Start(services);

            var result = services.GetRequiredService<IQualityPredictor>().Predict(Context);

            Assert.That(result.ModelVersion, Is.EqualTo(model.Version));
            Assert.That(result.Score, Is.EqualTo(new FittedHeuristicPredictor(model).Predict(Context).Score));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Model_members_come_from_the_catalog_which_is_disposed_with_the_container()
    {
        var services = Build(
            """{ "QualityPrediction": { "Models": [ { "Name": "onnx-a", "Path": "a.model.json", "Weight": 2 } ] } }""",
            s => s.AddSingleton<IModelRuntime, UnreachableRuntime>());
        Start(services);

        var result = services.GetRequiredService<IQualityPredictor>().Predict(Context);
        var catalog = services.GetRequiredService<IModelCatalog>();

        Assert.That(result.Members.Select(m => (m.Name, m.Status, m.Weight)), Is.EqualTo(new[] { ("onnx-a", MemberStatus.NotLoaded, 2.0), ("heuristic", MemberStatus.Ok, 1.0) }));
        Assert.That(result.Members[0].Reason, Does.Contain(Path.Combine(Directory.GetCurrentDirectory(), "a.model.json")), "the reason names the full resolved path");
        Assert.That(result.Source, Is.EqualTo(PredictionSource.Heuristic));
        Assert.That(catalog.ModelNames, Is.EqualTo(new[] { "onnx-a" }));

        services.Dispose();

        Assert.That(() => catalog.TryLease("onnx-a", out _), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task Every_registered_predictor_is_built_when_the_host_starts()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IModelRuntime, UnreachableRuntime>();
        services.AddQualityPrediction("a", o => o.Models.Add(new ModelOptions { Name = "model-a", Path = "a.model.json" }));
        services.AddQualityPrediction(o => o.Models.Add(new ModelOptions { Name = "model-default", Path = "d.model.json" }));
        await using var provider = services.BuildServiceProvider();

        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var catalog = provider.GetRequiredService<IModelCatalog>();
        Assert.That(catalog.ModelNames, Is.EquivalentTo(new[] { "model-a", "model-default" }), "one catalog holds the models of every registration");
        Assert.That(catalog.GetStatus("model-a").State, Is.EqualTo(ModelLoadState.Failed), "the start waited for the first load");
        Assert.That(provider.GetRequiredKeyedService<IQualityPredictor>("a").Predict(Context).Members[0].Status, Is.EqualTo(MemberStatus.NotLoaded));
    }

    [Test]
    public async Task A_broken_outcomes_file_stops_the_start_naming_the_option_and_the_line()
    {
        var path = Path.Combine(Path.GetTempPath(), $"outcomes-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, ["""{"provider":"a","quality":50}""", """{"provider":"b","quality":"n/a"}"""]);
        try
        {
            await using var services = Build($$"""{ "QualityPrediction": { "Heuristic": { "Mode": "Fitted", "OutcomesPath": {{JsonSerializer.Serialize(path)}} } } }""");
            Start(services);

            var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                foreach (var hosted in services.GetServices<IHostedService>())
                {
                    await hosted.StartAsync(CancellationToken.None);
                }
            });

            Assert.That(ex!.Message, Does.StartWith("QualityPrediction:Heuristic:OutcomesPath").And.Contain($"{path}:2: quality:"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Observers_see_every_prediction_and_a_throwing_observer_does_not_break_it()
    {
        var recording = new RecordingObserver();
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddSingleton<IPredictionObserver>(new ThrowingObserver());
        services.AddSingleton<IPredictionObserver>(recording);
        services.AddQualityPrediction("named", _ => { });
        using var provider = services.BuildServiceProvider();

        var result = provider.GetRequiredKeyedService<IQualityPredictor>("named").Predict(Context);

        Assert.That(recording.Seen.Single(), Is.EqualTo(("named", result)));
        var failure = provider.GetFakeLogCollector().GetSnapshot().Single(r => r.Id.Id == Log.ObserverFailedId);
        Assert.That(failure.Exception, Is.TypeOf<InvalidOperationException>());
        Assert.That(failure.Message, Does.Contain(nameof(ThrowingObserver)));
    }

    [Test]
    public void The_time_provider_and_meter_factory_come_from_the_container()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IMeterFactory, TestMeterFactory>();
        services.AddQualityPrediction();
        using var provider = services.BuildServiceProvider();
        using var predictions = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), QualityPredictionInstruments.MeterName, QualityPredictionInstruments.Predictions);

        var result = provider.GetRequiredService<IQualityPredictor>().Predict(Context);

        Assert.That(result.Timestamp, Is.EqualTo(time.GetUtcNow()));
        var measurement = predictions.GetMeasurementSnapshot().Single();
        Assert.That(measurement.Tags[QualityPredictionInstruments.SourceTag], Is.EqualTo("heuristic"));
        Assert.That(measurement.Tags[QualityPredictionInstruments.PredictorTag], Is.EqualTo("default"));
    }

    private static string WriteOutcomes(string path)
    {
        var (contexts, targets) = OutcomeGenerator.Generate(20, seed: 13);
        File.WriteAllLines(path, contexts.Select((c, i) =>
        {
            var record = c.ToDictionary(f => f.Key, f => f.Value.Kind == FeatureKind.Numeric ? (object)f.Value.Number : f.Value.Category!);
            record["quality"] = targets[i];
            return JsonSerializer.Serialize(record);
        }));
        return path;
    }

    private sealed class RecordingObserver : IPredictionObserver
    {
        public List<(string, QualityPredictionResult)> Seen { get; } = [];

        public void OnPrediction(string predictorName, PredictionContext context, QualityPredictionResult result) => Seen.Add((predictorName, result));
    }

    private sealed class ThrowingObserver : IPredictionObserver
    {
        public void OnPrediction(string predictorName, PredictionContext context, QualityPredictionResult result) => throw new InvalidOperationException("observer bug");
    }
}
