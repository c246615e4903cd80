using QualityPrediction.Runtimes.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using QualityPrediction.Models;
using QualityPrediction.Reliability.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.Contexts;

/// <summary>
/// Bad contexts through the composed predictor (AddQualityPrediction + AddOnnxModel of the categorical fixture): the
/// behaviour documented in docs/reliability.md ("Bad contexts") for each kind of bad input.
/// </summary>
[TestFixture]
public sealed class BadContextTests
{
    private ServiceProvider _provider = null!;
    private IQualityPredictor _predictor = null!;

    [OneTimeSetUp]
    public async Task Compose()
    {
        var services = new ServiceCollection();
        services.AddQualityPrediction().AddOnnxModel("quality", Fixtures.Categorical.ManifestPath, o => o.WatchForChanges = false);
        _provider = services.BuildServiceProvider();
        foreach (var hosted in _provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        _predictor = _provider.GetRequiredService<IQualityPredictor>();
    }

    [OneTimeTearDown]
    public async Task Dispose() => await _provider.DisposeAsync();

    private static PredictionContext Valid() => new() { ["provider"] = "openai", ["model"] = "large", ["statValue"] = 12, ["promptTokens"] = 900 };

    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    [TestCase(double.NegativeInfinity)]
    public void NonFiniteNumber_IsRefusedWhenTheContextIsBuilt_NamingTheFeature(double value)
    {
        var context = Valid();
        var error = Assert.Throws<ArgumentException>(() => context.Set("statValue", value));
        Assert.That(error!.Message, Does.Contain("statValue"));
        Assert.Throws<ArgumentException>(() => context["statValue"] = value);
        Assert.Throws<ArgumentException>(() => FeatureValue.Numeric(value));
        Assert.That(context["statValue"], Is.EqualTo((FeatureValue)12), "the context is unchanged");
    }

    [Test]
    public void NumberBeyondFloatRange_IsScoredAndTheAnswerStaysInRange()
    {
        foreach (var value in new[] { double.MaxValue, -double.MaxValue, 1e39, double.Epsilon })
        {
            var context = Valid();
            context["promptTokens"] = value;
            var result = _predictor.Predict(context);
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model), $"promptTokens={value}");
            Assert.That(result.Score, Is.InRange(0, 100));
        }
    }

    // Issue 18, item 1: a context that does not fit the live model's schema is the model's problem, not the caller's:
    // the model member declines with the reason and the next member answers (before: ArgumentException to the caller).
    [Test]
    public async Task CategoryWhereANumberBelongs_TheModelDeclinesNamingTheFeature_AndTheHeuristicAnswers()
    {
        var context = Valid();
        context["statValue"] = "twelve";
        foreach (var result in new[] { _predictor.Predict(context), await _predictor.PredictAsync(context) })
        {
            var member = result.Members.Single(m => m.Name == "quality");
            Assert.That((result.Source, member.Status), Is.EqualTo((PredictionSource.Heuristic, MemberStatus.Declined)));
            Assert.That(member.Reason, Does.Contain("statValue").And.Contain("number"));
        }
    }

    [Test]
    public void NumberWhereACategoryBelongs_TheModelDeclinesNamingTheFeature()
    {
        var context = Valid();
        context["provider"] = 3;
        var member = _predictor.Predict(context).Members.Single(m => m.Name == "quality");
        Assert.That(member.Status, Is.EqualTo(MemberStatus.Declined));
        Assert.That(member.Reason, Does.Contain("provider").And.Contain("category"));
    }

    [Test]
    public void OneMegabyteStrings_AsCategoryAndAsFeatureName_AreScoredAsUnknown()
    {
        var huge = new string('x', 1024 * 1024);
        var context = Valid();
        context["provider"] = huge;
        context[huge] = huge;
        var unknown = Valid();
        unknown["provider"] = "never-seen";

        var result = _predictor.Predict(context);
        Assert.Multiple(() =>
        {
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(result.Score, Is.EqualTo(_predictor.Predict(unknown).Score), "a huge category is just an unknown category");
        });
    }

    [Test]
    public void ThousandsOfUnknownFeatures_AreIgnored()
    {
        var context = Valid();
        for (var i = 0; i < 5000; i++)
        {
            context[$"extra{i}"] = i % 2 == 0 ? i : $"value{i}";
        }

        var result = _predictor.Predict(context);
        Assert.Multiple(() =>
        {
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(result.Score, Is.EqualTo(_predictor.Predict(Valid()).Score));
        });
    }

    [Test]
    public void UnknownCategories_ShareTheUnknownSlot()
    {
        var a = Valid();
        a["provider"] = "cohere";
        var b = Valid();
        b["provider"] = "some-other-provider\u001fwith-separator";
        var known = _predictor.Predict(Valid());

        var (ra, rb) = (_predictor.Predict(a), _predictor.Predict(b));
        Assert.Multiple(() =>
        {
            Assert.That(ra.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(rb.Score, Is.EqualTo(ra.Score), "every unknown category scores alike");
            Assert.That(ra.Score, Is.Not.EqualTo(known.Score), "and differently from a known one");
        });
    }

    [Test]
    public void MissingFeatures_AreImputed_ButAContextWithNoneOfThemIsNotScored()
    {
        var partial = _predictor.Predict(new PredictionContext { ["statValue"] = 10 });
        var imputed = _predictor.Predict(new PredictionContext { ["statValue"] = 10, ["promptTokens"] = 800 });
        var empty = _predictor.Predict(new PredictionContext());
        var member = empty.Members.Single(m => m.Name == "quality");
        Assert.Multiple(() =>
        {
            Assert.That(partial.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(partial.Score, Is.EqualTo(imputed.Score), "a missing number takes the training mean");
            Assert.That((partial.FeaturesSupplied, partial.FeaturesExpected), Is.EqualTo((1, 4)), "the result says how much of the model's input the context supplied");
            Assert.That((empty.Source, member.Status), Is.EqualTo((PredictionSource.Heuristic, MemberStatus.Declined)), "issue 12, item 3: no feature in common, no model answer");
            Assert.That(member.Reason, Does.Contain("supplies none of model 'quality'"));
        });
    }

    [Test]
    public void NullContextAndEmptyNames_AreArgumentErrors()
    {
        Assert.Throws<ArgumentNullException>(() => _predictor.Predict(null!));
        Assert.Throws<ArgumentException>(() => new PredictionContext().Set("", 1.0));
        Assert.Throws<ArgumentException>(() => new PredictionContext().Set("   ", "x"));
        Assert.Throws<ArgumentNullException>(() => new PredictionContext().Set("provider", (string)null!));
    }

    [Test]
    public void BatchWithOneBadContext_AnswersEveryRow_TheBadOneFromTheFallback()
    {
        var bad = Valid();
        bad["statValue"] = "twelve";
        var results = new QualityPredictionResult[3];
        _predictor.PredictBatch([Valid(), bad, Valid()], results);
        Assert.That(results.Select(r => r.Source), Is.EqualTo(new[] { PredictionSource.Model, PredictionSource.Heuristic, PredictionSource.Model }));
        Assert.That(results[1].Members.Single(m => m.Name == "quality").Status, Is.EqualTo(MemberStatus.Declined));
    }
}
