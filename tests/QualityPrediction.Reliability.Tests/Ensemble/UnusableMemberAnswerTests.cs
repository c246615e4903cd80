using QualityPrediction.Ensemble;
using QualityPrediction.Heuristics;

namespace QualityPrediction.Reliability.Tests.Ensemble;

/// <summary>
/// Regression tests for a finding of the chaos tests: a member that answered a NaN or infinite score (or confidence)
/// passed it straight through the ensemble (ScoreRange.Clamp lets NaN through), and a priority-chain answer kept a
/// confidence outside [0, 1]. Such an answer now counts as a failed member and the next member answers.
/// </summary>
[TestFixture]
public sealed class UnusableMemberAnswerTests
{
    private static readonly ScoreRange Range = new(0, 100);

    [TestCase(double.NaN, 0.5)]
    [TestCase(double.PositiveInfinity, 0.5)]
    [TestCase(double.NegativeInfinity, 0.5)]
    [TestCase(50.0, double.NaN)]
    public async Task NonFiniteMemberAnswer_IsAFailedMember_AndTheNextMemberAnswers(double score, double confidence)
    {
        using var ensemble = Create(new FixedPredictor(score, confidence));
        var context = new PredictionContext { ["provider"] = "openai" };
        var results = new QualityPredictionResult[2];
        ensemble.PredictBatch([context, context], results);

        foreach (var result in new[] { ensemble.Predict(context), await ensemble.PredictAsync(context), results[0], results[1] })
        {
            Assert.Multiple(() =>
            {
                Assert.That(result.Source, Is.EqualTo(PredictionSource.Heuristic));
                Assert.That(double.IsFinite(result.Score), Is.True);
                Assert.That(result.Score, Is.InRange(Range.Min, Range.Max));
                Assert.That(result.Confidence, Is.InRange(0.0, 1.0));
            });
        }

        var member = ensemble.Predict(context).Members[0];
        Assert.That(member.Status, Is.EqualTo(MemberStatus.Failed));
        Assert.That(member.Reason, Does.Contain("finite"));
    }

    [Test]
    public void MemberConfidenceOutsideZeroToOne_IsClampedInAPriorityChainAnswer()
    {
        using var ensemble = Create(new FixedPredictor(1e9, -3));
        var result = ensemble.Predict(new PredictionContext());
        Assert.Multiple(() =>
        {
            Assert.That(result.Source, Is.EqualTo(PredictionSource.Model));
            Assert.That(result.Score, Is.EqualTo(Range.Max));
            Assert.That(result.Confidence, Is.EqualTo(0));
        });
    }

    private static EnsemblePredictor Create(IQualityPredictor model) => new(
        "ensemble",
        [EnsembleMember.Model(model), EnsembleMember.Heuristic(new RuleBasedHeuristicPredictor(new HeuristicRules(), Range, 5))],
        new EnsembleOptions(),
        Range);

    /// <summary>An injected fault: a member that always answers the given score and confidence.</summary>
    private sealed class FixedPredictor(double score, double confidence) : IQualityPredictor
    {
        public string Name => "model";

        public QualityPredictionResult Predict(PredictionContext context) => new()
        {
            Score = score,
            Confidence = confidence,
            Source = PredictionSource.Model,
            ModelName = Name,
        };

        public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Predict(context));

        public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < contexts.Length; i++)
            {
                results[i] = Predict(contexts[i]);
            }
        }
    }
}
