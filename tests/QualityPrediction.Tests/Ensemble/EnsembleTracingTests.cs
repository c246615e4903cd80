using System.Diagnostics;
using QualityPrediction.Ensemble;
using QualityPrediction.Tests.TestSupport;

namespace QualityPrediction.Tests.Ensemble;

/// <summary>The span per prediction on the <c>QualityPrediction</c> ActivitySource, with OpenTelemetry-style tags.</summary>
public sealed class EnsembleTracingTests
{
    private static readonly PredictionContext Context = new PredictionContext().WithProvider("openai").WithModel("gpt-4o");

    private static string UniqueName() => "tracing-" + Guid.NewGuid().ToString("N")[..8];

    private static ActivityCollector Collect(string predictor) =>
        new(a => a.GetTagItem(QualityPredictionInstruments.PredictorTag) as string == predictor);

    private static EnsemblePredictor Chain(string name, params IQualityPredictor[] members) =>
        new(name, [.. members.Select(m => EnsembleMember.Model(m))], new EnsembleOptions { Strategy = EnsembleStrategy.PriorityChain, MemberTimeout = TimeSpan.FromSeconds(30) }, ScoreRange.Percent); // a loaded CI machine must not time the member out

    [Test]
    public async Task Each_prediction_is_a_span_tagged_with_what_answered()
    {
        var name = UniqueName();
        using var spans = Collect(name);
        using var ensemble = Chain(name, new ScriptedModel("narration", score: 70));

        ensemble.Predict(Context);
        await ensemble.PredictAsync(Context);

        Assert.That(spans.Spans, Has.Count.EqualTo(2));
        foreach (var span in spans.Spans)
        {
            Assert.Multiple(() =>
            {
                Assert.That(span.OperationName, Is.EqualTo(QualityPredictionInstruments.PredictActivity));
                Assert.That(span.Source.Name, Is.EqualTo("QualityPrediction"));
                Assert.That(span.Kind, Is.EqualTo(ActivityKind.Internal));
                Assert.That(span.GetTagItem("quality_prediction.source"), Is.EqualTo("model"));
                Assert.That(span.GetTagItem("quality_prediction.model.name"), Is.EqualTo("narration"));
                Assert.That(span.GetTagItem("quality_prediction.model.version"), Is.EqualTo("v1"));
                Assert.That(span.GetTagItem("quality_prediction.fallback.reason"), Is.Null, "the first member answered");
                Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Unset));
            });
        }
    }

    [Test]
    public void A_fallback_says_why_the_member_before_did_not_answer()
    {
        var name = UniqueName();
        using var spans = Collect(name);
        using var ensemble = Chain(name, new ScriptedModel("narration") { Fault = new IOException("disk") }, new ScriptedModel("backup", score: 60));

        ensemble.Predict(Context);

        var span = spans.Spans.Single();
        Assert.Multiple(() =>
        {
            Assert.That(span.GetTagItem("quality_prediction.model.name"), Is.EqualTo("backup"));
            Assert.That(span.GetTagItem("quality_prediction.fallback.reason"), Is.EqualTo("Failed"));
            Assert.That(span.GetTagItem("quality_prediction.member"), Is.EqualTo("narration"));
            Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Unset), "a fallback is an answer, not a failed prediction");
        });
    }

    [Test]
    public void A_prediction_that_throws_is_a_failed_span_with_error_type()
    {
        var name = UniqueName();
        using var spans = Collect(name);
        using var ensemble = Chain(name, new ScriptedModel("narration"));

        Assert.Throws<ArgumentNullException>(() => ensemble.Predict(null!));

        var span = spans.Spans.Single();
        Assert.That(span.GetTagItem("error.type"), Is.EqualTo(typeof(ArgumentNullException).FullName));
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error));
    }

    [Test]
    public void A_batch_is_one_span_with_its_size()
    {
        var name = UniqueName();
        using var spans = Collect(name);
        using var ensemble = Chain(name, new ScriptedModel("narration"));
        var contexts = Enumerable.Repeat(Context, 5).ToArray();

        ensemble.PredictBatch(contexts, new QualityPredictionResult[5]);

        var span = spans.Spans.Single();
        Assert.That(span.OperationName, Is.EqualTo(QualityPredictionInstruments.PredictBatchActivity));
        Assert.That(span.GetTagItem("quality_prediction.batch.size"), Is.EqualTo(5));
    }

    [Test]
    public void Nothing_is_recorded_while_nobody_listens()
    {
        using var ensemble = Chain(UniqueName(), new ScriptedModel("narration"));
        var before = Activity.Current;

        ensemble.Predict(Context);

        Assert.That(Activity.Current, Is.SameAs(before));
    }
}
