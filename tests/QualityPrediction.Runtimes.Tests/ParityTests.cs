using QualityPrediction.Models;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests;

/// <summary>The same artifact set scored by both runtimes agrees within 1e-5 of the target's range on every held-out row.</summary>
[TestFixture]
public sealed class ParityTests
{
    private static IEnumerable<TestCaseData> Models()
    {
        yield return new TestCaseData("numeric").SetName("Parity_NumericModel");
        yield return new TestCaseData("categorical").SetName("Parity_CategoricalModel");
    }

    private static TrainedModel Get(string name) => name == "numeric" ? Fixtures.Numeric : Fixtures.Categorical;

    [TestCaseSource(nameof(Models))]
    public async Task BothRuntimesAgreeOnEveryHeldOutRow(string name)
    {
        var model = Get(name);
        var tolerance = 1e-5 * (model.Manifest.Target.Max - model.Manifest.Target.Min);
        using var onnx = await Predictors.LoadAsync(model.ManifestPath, "onnx");
        using var mlnet = await Predictors.LoadAsync(model.ManifestPath, "mlnet");
        Assert.That(onnx.Status.State, Is.EqualTo(ModelLoadState.Loaded), onnx.Status.LastError);
        Assert.That(mlnet.Status.State, Is.EqualTo(ModelLoadState.Loaded), mlnet.Status.LastError);

        var contexts = model.HoldOut.ToArray();
        var onnxBatch = new QualityPredictionResult[contexts.Length];
        var mlnetBatch = new QualityPredictionResult[contexts.Length];
        onnx.PredictBatch(contexts, onnxBatch);
        mlnet.PredictBatch(contexts, mlnetBatch);

        var worst = 0.0;
        var distinct = new HashSet<double>();
        for (var i = 0; i < contexts.Length; i++)
        {
            var a = onnx.Predict(contexts[i]).Score;
            var b = mlnet.Predict(contexts[i]).Score;
            distinct.Add(a);
            worst = Math.Max(worst, Math.Abs(a - b));
            Assert.That(a, Is.EqualTo(b).Within(tolerance), $"row {i}: onnx {a} vs mlnet {b}");
            Assert.That(onnxBatch[i].Score, Is.EqualTo(b).Within(tolerance), $"row {i}: onnx batch");
            Assert.That(mlnetBatch[i].Score, Is.EqualTo(b).Within(tolerance), $"row {i}: mlnet batch");
        }

        Assert.That(distinct, Has.Count.GreaterThan(10), "the model must actually vary across rows");
        TestContext.Out.WriteLine($"{name}: {contexts.Length} rows, max |onnx - mlnet| = {worst:E2} (tolerance {tolerance:E1})");
    }

    [Test]
    public void CategoricalHoldOut_CoversUnknownRareAndMissingValues()
    {
        var contexts = Fixtures.Categorical.HoldOut;
        Assert.Multiple(() =>
        {
            Assert.That(contexts.Any(c => c.TryGetCategory("provider", out var p) && p == "cohere"), Is.True, "unknown category");
            Assert.That(contexts.Any(c => c.TryGetCategory("provider", out var p) && p == "mistral"), Is.True, "rare category");
            Assert.That(contexts.Any(c => !c.Contains("statValue")), Is.True, "missing numeric value");
        });
    }
}
