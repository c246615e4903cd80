using QualityPrediction.Models;
using QualityPrediction.Training.Trainers;

namespace QualityPrediction.Training.Tests;

public sealed class ModelTrainerTests
{
    internal static readonly TrainerConfig SmallTrees = new("fasttree-20", TrainerKind.FastTree, new Dictionary<string, double> { ["trees"] = 20, ["leaves"] = 8, ["learningRate"] = 0.2, ["minLeafRows"] = 5 });
    internal static readonly TrainerConfig Linear = new("sdca", TrainerKind.Sdca, new Dictionary<string, double> { ["l2"] = 1e-4, ["iterations"] = 100 });

    internal static TrainingOptions Small(params TrainerConfig[] configs) => new()
    {
        Name = "tiny",
        Configurations = configs,
        Folds = 3,
        InnerFolds = 2,
        Seed = 5,
        Tolerances = [0.25, 0.5, 1],
        Featurizer = new() { MinCategoryRows = 5 },
    };

    [Test]
    public void Train_BeatsTheBaselineHonestly_AndFillsTheManifest()
    {
        var data = TestData.Regression(300);

        var result = ModelTrainer.Train(data, Small(SmallTrees));

        Assert.That(result.CrossValidation.Rows, Is.EqualTo(300));
        Assert.That(result.CrossValidation.SkillAgainst(result.Baseline), Is.GreaterThan(0.5));
        Assert.That(result.Heuristic, Is.Not.Null, "the fitted heuristic runs on the same folds");
        Assert.That(result.Heuristic!.Mae, Is.GreaterThan(result.CrossValidation.Mae));
        var manifest = result.Manifest;
        Assert.That(manifest.Target.Name, Is.EqualTo("y"));
        Assert.That(manifest.Target.Tolerance, Is.EqualTo(0.5), "the middle tolerance is the confidence tolerance");
        Assert.That(manifest.Features.Select(f => f.Name), Is.EqualTo(new[] { "a", "b", "kind" }));
        Assert.That(manifest.InputLength, Is.EqualTo(2 + 3 + 2));
        Assert.That(manifest.Trainer!.Name, Is.EqualTo("FastTree"));
        Assert.That(manifest.Trainer.Parameters["trees"], Is.EqualTo("20"));
        Assert.That(manifest.Calibration!.Bins, Is.Not.Empty);
        Assert.That(manifest.Calibration.MeasuredCoverage, Is.EqualTo(result.IntervalCoverage));
        Assert.That(result.IntervalCoverage, Is.InRange(0.8, 0.97));
        Assert.That(manifest.Metrics!.Value.GetProperty("cv").GetProperty("mae").GetDouble(), Is.EqualTo(result.CrossValidation.Mae));
        Assert.DoesNotThrow(() => manifest.Validate());
    }

    [Test]
    public void Train_SameSeed_IsReproducible()
    {
        var data = TestData.Regression(150);

        var first = ModelTrainer.Train(data, Small(SmallTrees, Linear));
        var second = ModelTrainer.Train(data, Small(SmallTrees, Linear));

        Assert.That(second.OutOfFold.Predicted, Is.EqualTo(first.OutOfFold.Predicted));
        Assert.That(second.CrossValidation.Mae, Is.EqualTo(first.CrossValidation.Mae));
        Assert.That(second.Chosen, Is.EqualTo(first.Chosen));
    }

    [Test]
    public void Train_NestedSearch_PicksTheLinearModelOnLinearData()
    {
        var data = TestData.Regression(240, seed: 3, noise: 0.05);
        var options = Small(SmallTrees, Linear);
        options.Repeats = 2;

        var result = ModelTrainer.Train(data, options);

        Assert.That(result.Configurations.Sum(c => c.TimesChosen), Is.EqualTo(6), "one choice per outer fold and repeat");
        Assert.That(result.Configurations.Single(c => c.Config.Name == "sdca").TimesChosen, Is.EqualTo(6));
        Assert.That(result.Chosen.Kind, Is.EqualTo(TrainerKind.Sdca));
        Assert.That(result.CrossValidation.Rows, Is.EqualTo(480), "predictions are pooled over repeats");
        Assert.That(result.CrossValidation.Mae, Is.LessThan(0.1));
    }

    [Test]
    public void Train_TooFewRows_Throws()
    {
        Assert.Throws<ArgumentException>(() => ModelTrainer.Train(TestData.Regression(5), Small(SmallTrees)));
    }

    [Test]
    public void DefaultTolerances_FollowTheRange()
    {
        Assert.That(ModelTrainer.DefaultTolerances(new ScoreRange(3, 9)), Is.EqualTo(new[] { 0.25, 0.5, 1.0 }));
        Assert.That(ModelTrainer.DefaultTolerances(new ScoreRange(0, 100)), Is.EqualTo(new[] { 4.2, 8.3, 17 }));
    }

    [Test]
    public void Train_RefusesABookkeepingColumnAsAFeature()
    {
        var data = TestData.Regression(60);
        var logged = new QualityPrediction.Training.Data.TrainingData(data.Target, [.. data.Contexts.Select(c => { var copy = c.Clone(); copy.Set("selectionProbability", 0.5); return copy; })], data.Targets, data.Locations,
            [.. data.Columns, new QualityPrediction.Training.Data.DataColumn("selectionProbability", FeatureKind.Numeric)]);

        var ex = Assert.Throws<ArgumentException>(() => ModelTrainer.Train(logged, new TrainingOptions { Trainer = Trainers.TrainerKind.Sdca, Folds = 2, InnerFolds = 2 }));
        var cleaned = QualityPrediction.Training.Data.BookkeepingColumns.Remove(logged);

        Assert.That(ex!.Message, Does.Contain("'selectionProbability' is bookkeeping"));
        Assert.That(cleaned.Columns.Select(c => c.Name), Is.EqualTo(data.Columns.Select(c => c.Name)));
        Assert.That(cleaned.Contexts[0].Contains("selectionProbability"), Is.False);
    }

    [Test]
    public void Search_FindsAnInteractionOfTwoCategoricalFeaturesWithoutBeingToldWhichPair()
    {
        // y = effect(provider × actionType) + 0.5·x + N(0, 1): the noise floor of the MAE is sqrt(2/π) ≈ 0.798.
        var random = new Random(11);
        string[] providers = ["openai", "anthropic", "google", "mistral"];
        string[] actions = ["combat", "dialogue", "puzzle", "exploration"];
        var effect = providers.SelectMany(p => actions.Select(a => (p, a))).ToDictionary(k => k, _ => (random.NextDouble() * 6) - 3);
        var contexts = new List<PredictionContext>();
        var targets = new List<double>();
        for (var i = 0; i < 800; i++)
        {
            var (p, a) = (providers[random.Next(4)], actions[random.Next(4)]);
            var x = random.NextDouble() * 4;
            var noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            contexts.Add(new PredictionContext { ["provider"] = p, ["actionType"] = a, ["region"] = i % 2 == 0 ? "eu" : "us", ["x"] = x });
            targets.Add(effect[(p, a)] + (0.5 * x) + noise);
        }

        var data = new QualityPrediction.Training.Data.TrainingData("y", contexts, targets, [.. contexts.Select((_, i) => $"gen:{i}")],
            [new("provider", FeatureKind.Categorical), new("actionType", FeatureKind.Categorical), new("region", FeatureKind.Categorical), new("x", FeatureKind.Numeric)]);
        var linear = new TrainerConfig("sdca-converged", TrainerKind.Sdca, new Dictionary<string, double> { ["l2"] = 0.01, ["iterations"] = 1000, ["tolerance"] = 1e-7 });
        var floor = Math.Sqrt(2 / Math.PI);

        var options = Small(linear);
        options.SearchCrosses = true;
        var searched = ModelTrainer.Train(data, options);
        options.SearchCrosses = false;
        var plain = ModelTrainer.Train(data, options);

        Assert.That(searched.Chosen.Name, Is.EqualTo("sdca-converged+crosses"));
        Assert.That(searched.Manifest.Trainer!.Parameters["crosses"], Does.Contain("provider*actionType"));
        Assert.That(searched.CrossValidation.Mae / floor, Is.LessThan(1.1), "near the noise floor");
        Assert.That(plain.CrossValidation.Mae / floor, Is.GreaterThan(1.3), "an additive model cannot fit the interaction");
    }
}
