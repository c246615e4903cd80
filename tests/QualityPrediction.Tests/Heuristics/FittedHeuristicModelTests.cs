using QualityPrediction.Heuristics;
using QualityPrediction.Tests.TestSupport;

namespace QualityPrediction.Tests.Heuristics;

public sealed class FittedHeuristicModelTests
{
    private const double Tolerance = 5;
    private static readonly HeuristicFitOptions Options = new();

    private static FittedHeuristicModel FitDefault(int rowsPerCell = 30, int seed = 42)
    {
        var (contexts, targets) = OutcomeGenerator.Generate(rowsPerCell, seed);
        return FittedHeuristicModel.Fit(contexts, targets, Options, ScoreRange.Percent, Tolerance);
    }

    private static PredictionContext Context(string provider, string model, string action) =>
        new PredictionContext().WithProvider(provider).WithModel(model).WithActionType(action);

    [Test]
    public void Fit_recovers_the_known_model_baselines()
    {
        var predictor = new FittedHeuristicPredictor(FitDefault());

        foreach (var (provider, model, offset) in OutcomeGenerator.Models)
        {
            var result = predictor.Predict(Context(provider, model, "explore"));

            Assert.That(result.Score, Is.EqualTo(OutcomeGenerator.TrueMean(provider, offset, "explore")).Within(1.5), $"{provider}/{model}");
            Assert.That(result.Basis, Is.EqualTo($"model:{model}"));
        }
    }

    [Test]
    public void Fit_recovers_the_action_type_effect()
    {
        var predictor = new FittedHeuristicPredictor(FitDefault());

        var combat = predictor.Predict(Context("anthropic", "claude-haiku", "combat")).Score;
        var dialogue = predictor.Predict(Context("anthropic", "claude-haiku", "dialogue")).Score;
        var explore = predictor.Predict(Context("anthropic", "claude-haiku", "explore")).Score;

        Assert.That(combat - explore, Is.EqualTo(4).Within(1));
        Assert.That(dialogue - explore, Is.EqualTo(-4).Within(1));
    }

    [Test]
    public void An_unseen_model_falls_back_to_its_provider_baseline()
    {
        var predictor = new FittedHeuristicPredictor(FitDefault());

        var result = predictor.Predict(Context("openai", "gpt-9", "explore"));

        Assert.That(result.Basis, Is.EqualTo("provider:openai"));
        Assert.That(result.Score, Is.EqualTo(OutcomeGenerator.ProviderMeans["openai"]).Within(1.5));
    }

    [Test]
    public void An_unseen_provider_falls_back_to_the_global_baseline()
    {
        var model = FitDefault();
        var predictor = new FittedHeuristicPredictor(model);

        var result = predictor.Predict(Context("newcorp", "new-model", "explore"));

        Assert.That(result.Basis, Is.EqualTo("global"));
        Assert.That(result.Score, Is.EqualTo(OutcomeGenerator.ProviderMeans.Values.Average()).Within(1.5));
        Assert.That(result.Score, Is.EqualTo(model.Root.Estimate + model.Factors[0].Effects["explore"].Effect).Within(1e-9), "the root estimate plus the action-type effect");
    }

    [Test]
    public void A_context_without_a_model_is_answered_by_its_provider()
    {
        var predictor = new FittedHeuristicPredictor(FitDefault());

        var result = predictor.Predict(new PredictionContext().WithProvider("mistral"));

        Assert.That(result.Basis, Is.EqualTo("provider:mistral"));
    }

    [Test]
    public void Broader_levels_report_wider_intervals_and_lower_confidence()
    {
        var predictor = new FittedHeuristicPredictor(FitDefault());

        var seen = predictor.Predict(Context("openai", "gpt-4o", "explore"));
        var unseenModel = predictor.Predict(Context("openai", "gpt-9", "explore"));
        var unseenProvider = predictor.Predict(Context("newcorp", "x", "explore"));

        Assert.That(unseenModel.Interval.Width, Is.GreaterThan(seen.Interval.Width));
        Assert.That(unseenProvider.Interval.Width, Is.GreaterThan(unseenModel.Interval.Width));
        Assert.That(unseenModel.Confidence, Is.LessThan(seen.Confidence));
        Assert.That(seen.ConfidenceKind, Is.EqualTo(ConfidenceKind.Calibrated));
        Assert.That(seen.Interval.Coverage, Is.EqualTo(0.9));
    }

    [Test]
    public void Intervals_cover_about_the_nominal_share_of_fresh_rows()
    {
        var predictor = new FittedHeuristicPredictor(FitDefault());
        var (contexts, targets) = OutcomeGenerator.Generate(rowsPerCell: 20, seed: 7);

        var covered = contexts.Select((c, i) => predictor.Predict(c).Interval.Contains(targets[i])).Count(x => x);
        var within = contexts.Select((c, i) => Math.Abs(predictor.Predict(c).Score - targets[i]) <= Tolerance).Count(x => x);

        Assert.That((double)covered / contexts.Count, Is.InRange(0.85, 0.95));
        Assert.That((double)within / contexts.Count, Is.EqualTo(predictor.Predict(contexts[0]).Confidence).Within(0.06), "the confidence predicts the share within tolerance");
    }

    [Test]
    public void Group_estimates_follow_the_shrinkage_formula()
    {
        var (contexts, targets) = OutcomeGenerator.Generate(rowsPerCell: 5, seed: 1);
        var options = new HeuristicFitOptions { Factors = [], Shrinkage = 10 };

        var model = FittedHeuristicModel.Fit(contexts, targets, options, ScoreRange.Percent, Tolerance);

        Assert.That(model.Root.Estimate, Is.EqualTo(targets.Average()).Within(1e-9));
        foreach (var provider in model.Root.Children.Values)
        {
            Assert.That(provider.Estimate, Is.EqualTo(((provider.Count * provider.Mean) + (10 * model.Root.Estimate)) / (provider.Count + 10)).Within(1e-9));
            foreach (var child in provider.Children.Values)
            {
                Assert.That(child.Estimate, Is.EqualTo(((child.Count * child.Mean) + (10 * provider.Estimate)) / (child.Count + 10)).Within(1e-9));
            }
        }
    }

    [Test]
    public void A_small_group_is_shrunk_toward_its_parent_and_borrows_its_residual_statistics()
    {
        var (contexts, targets) = OutcomeGenerator.Generate(rowsPerCell: 30, seed: 42);
        for (var i = 0; i < 3; i++)
        {
            contexts.Add(Context("openai", "gpt-rare", "explore"));
            targets.Add(95);
        }

        var model = FittedHeuristicModel.Fit(contexts, targets, Options, ScoreRange.Percent, Tolerance);
        var predictor = new FittedHeuristicPredictor(model);
        var openai = model.Root.Children["openai"];

        var result = predictor.Predict(Context("openai", "gpt-rare", "explore"));

        Assert.That(result.Basis, Is.EqualTo("model:gpt-rare"));
        Assert.That(result.Score, Is.GreaterThan(openai.Estimate + 5).And.LessThan(80), "3 rows at 95 move the estimate only part of the way from the provider's ~60");
        Assert.That(openai.Children["gpt-rare"].Residuals, Is.Null);
        Assert.That(result.Confidence, Is.EqualTo(openai.Residuals!.WithinTolerance));
    }

    [Test]
    public void Levels_and_factors_absent_from_the_data_are_unused()
    {
        var contexts = new[] { new PredictionContext().WithProvider("a"), new PredictionContext().WithProvider("b") };
        var options = new HeuristicFitOptions { Hierarchy = ["provider", "model"], Factors = ["actionType", "rollType"] };

        var model = FittedHeuristicModel.Fit(contexts, [50, 70], options, ScoreRange.Percent, Tolerance);
        var result = new FittedHeuristicPredictor(model).Predict(Context("a", "m", "combat"));

        Assert.That(model.Factors, Is.Empty);
        Assert.That(result.Basis, Is.EqualTo("provider:a"));
    }

    [Test]
    public void A_non_finite_target_is_rejected_naming_the_row()
    {
        var (contexts, targets) = OutcomeGenerator.Generate(rowsPerCell: 1, seed: 1);
        targets[5] = double.NaN;

        var ex = Assert.Throws<ArgumentException>(() => FittedHeuristicModel.Fit(contexts, targets, Options, ScoreRange.Percent, Tolerance));

        Assert.That(ex!.Message, Does.Contain("row 5"));
    }

    [Test]
    public void A_numeric_hierarchy_feature_is_rejected_naming_row_and_feature()
    {
        var contexts = new[] { new PredictionContext().WithProvider("a"), new PredictionContext { ["provider"] = 3 } };

        var ex = Assert.Throws<ArgumentException>(() => FittedHeuristicModel.Fit(contexts, [1, 2], Options, ScoreRange.Percent, Tolerance));

        Assert.That(ex!.Message, Does.Contain("Row 1").And.Contain("'provider'"));
    }

    [Test]
    public void Mismatched_lengths_and_empty_data_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => FittedHeuristicModel.Fit([new PredictionContext()], [1, 2], Options, ScoreRange.Percent, Tolerance));
        Assert.Throws<ArgumentException>(() => FittedHeuristicModel.Fit([], [], Options, ScoreRange.Percent, Tolerance));
    }

    [Test]
    public void A_feature_in_both_the_hierarchy_and_the_factors_is_rejected()
    {
        var options = new HeuristicFitOptions { Hierarchy = ["provider", "model"], Factors = ["model"] };

        var ex = Assert.Throws<ArgumentException>(() => FittedHeuristicModel.Fit([new PredictionContext()], [1], options, ScoreRange.Percent, Tolerance));

        Assert.That(ex!.Message, Does.Contain("'model' is both a hierarchy level and a factor"));
    }

    [Test]
    public void Equal_fits_have_equal_versions_and_different_fits_different_ones()
    {
        var first = FitDefault(seed: 42);
        var again = FitDefault(seed: 42);
        var other = FitDefault(seed: 43);

        Assert.That(first.Version, Has.Length.EqualTo(16));
        Assert.That(again.Version, Is.EqualTo(first.Version));
        Assert.That(other.Version, Is.Not.EqualTo(first.Version));
    }

    [Test]
    public void Json_round_trip_gives_identical_predictions()
    {
        var model = FitDefault();
        var path = Path.Combine(Path.GetTempPath(), $"heuristic-{Guid.NewGuid():N}.json");
        try
        {
            model.Save(path);
            var loaded = FittedHeuristicModel.Load(path);
            var parsed = FittedHeuristicModel.Parse(model.ToJson());
            var contexts = new[]
            {
                Context("openai", "gpt-4o", "combat"),
                Context("openai", "gpt-9", "dialogue"),
                Context("newcorp", "x", "explore"),
                new PredictionContext(),
            };

            foreach (var other in new[] { loaded, parsed })
            {
                Assert.That(other.Version, Is.EqualTo(model.Version));
                foreach (var context in contexts)
                {
                    var expected = new FittedHeuristicPredictor(model).Predict(context);
                    var actual = new FittedHeuristicPredictor(other).Predict(context);
                    Assert.That(
                        (actual.Score, actual.Confidence, actual.Interval, actual.Basis, actual.ModelVersion),
                        Is.EqualTo((expected.Score, expected.Confidence, expected.Interval, expected.Basis, expected.ModelVersion)));
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Parse_rejects_invalid_documents_with_a_clear_message()
    {
        var json = FitDefault(rowsPerCell: 2).ToJson();

        Assert.That(() => FittedHeuristicModel.Parse("{ not json"), Throws.TypeOf<FormatException>().With.Message.Contains("not valid JSON"));
        Assert.That(() => FittedHeuristicModel.Parse(json.Replace("\"formatVersion\": 1", "\"formatVersion\": 99", StringComparison.Ordinal)), Throws.TypeOf<FormatException>().With.Message.Contains("formatVersion 99"));
        Assert.That(() => FittedHeuristicModel.Parse(json.Replace("\"minScore\": 0", "\"minScore\": 100", StringComparison.Ordinal)), Throws.TypeOf<FormatException>().With.Message.Contains("minScore"));
        Assert.That(() => FittedHeuristicModel.Parse(json.Replace("\"rows\":", "\"rowz\":", StringComparison.Ordinal)), Throws.TypeOf<FormatException>().With.Message.Contains("rowz"));
    }

    [Test]
    public void Load_names_the_file_in_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"heuristic-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "[]");
        try
        {
            Assert.That(() => FittedHeuristicModel.Load(path), Throws.TypeOf<FormatException>().With.Message.StartsWith(path));
            Assert.That(() => FittedHeuristicModel.Load(path + ".missing"), Throws.TypeOf<FileNotFoundException>());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
