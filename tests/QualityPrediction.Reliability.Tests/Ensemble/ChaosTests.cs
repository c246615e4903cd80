using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;
using Polly.Simmy.Outcomes;
using QualityPrediction.Ensemble;
using QualityPrediction.Heuristics;
using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Reliability.Tests.TestSupport;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.Ensemble;

/// <summary>
/// Fault injection with Polly's chaos strategies around a real ONNX model member: injected exceptions, latency past the
/// member timeout, and bogus outcomes (NaN, infinite and out-of-range scores) at 1%, 10%, 50% and 100%. The ensemble's
/// answers must stay within the fallback contract, and the circuit must open and close as configured.
/// </summary>
[TestFixture]
public sealed class ChaosTests
{
    private static readonly ScoreRange Range = new(0, 100);
    private CatalogModel _reference = null!;
    private PredictionContext[] _contexts = null!;

    public enum Fault
    {
        Exception,
        Outcome,
        Latency,
    }

    [OneTimeSetUp]
    public async Task LoadReference()
    {
        _reference = await LoadAsync();
        _contexts = [.. Enumerable.Range(0, 32).Select(i => FixtureData.GenerateNumeric(new Random(500 + i)))];
    }

    [OneTimeTearDown]
    public void DisposeReference() => _reference.Dispose();

    [Test]
    [Combinatorial]
    public async Task InjectedFaults_KeepEveryAnswerWithinTheFallbackContract(
        [Values(Fault.Exception, Fault.Outcome, Fault.Latency)] Fault fault,
        [Values(0.01, 0.1, 0.5, 1.0)] double rate)
    {
        // Latency needs a real clock (the member timeout must fire); the other faults run on a fake one.
        var timeProvider = fault == Fault.Latency ? TimeProvider.System : new FakeTimeProvider();
        var calls = fault == Fault.Latency ? 40 : 400;
        var injected = 0;
        var nonFinite = 0;
        var random = new Random(42);
        var chaos = new ResiliencePipelineBuilder<QualityPredictionResult> { TimeProvider = timeProvider };
        switch (fault)
        {
            case Fault.Exception:
                chaos.AddChaosFault(new ChaosFaultStrategyOptions
                {
                    InjectionRate = rate,
                    Randomizer = random.NextDouble,
                    FaultGenerator = new FaultGenerator().AddException(() =>
                    {
                        Interlocked.Increment(ref injected);
                        return new InvalidOperationException("chaos: injected fault");
                    }),
                });
                break;
            case Fault.Outcome:
                chaos.AddChaosOutcome(new ChaosOutcomeStrategyOptions<QualityPredictionResult>
                {
                    InjectionRate = rate,
                    Randomizer = random.NextDouble,
                    OutcomeGenerator = _ =>
                    {
                        var n = Interlocked.Increment(ref injected);
                        var (score, confidence) = (n % 4) switch
                        {
                            0 => (double.NaN, 0.5),
                            1 => (double.PositiveInfinity, 0.5),
                            2 => (1e9, -3.0),
                            _ => (50.0, double.NaN),
                        };
                        if (n % 4 != 2)
                        {
                            Interlocked.Increment(ref nonFinite);
                        }

                        return ValueTask.FromResult<Outcome<QualityPredictionResult>?>(Outcome.FromResult(new QualityPredictionResult
                        {
                            Score = score,
                            Confidence = confidence,
                            Source = PredictionSource.Model,
                            ModelName = "quality",
                            ModelVersion = "chaos",
                        }));
                    },
                });
                break;
            default:
                chaos.AddChaosLatency(new ChaosLatencyStrategyOptions
                {
                    InjectionRate = rate,
                    Randomizer = random.NextDouble,
                    LatencyGenerator = _ =>
                    {
                        Interlocked.Increment(ref injected);
                        return ValueTask.FromResult(TimeSpan.FromSeconds(5));
                    },
                });
                break;
        }

        using var ensemble = new EnsemblePredictor(
            "ensemble",
            [EnsembleMember.Model(new ChaosPredictor(await LoadAsync(), chaos.Build())), EnsembleMember.Heuristic(new RuleBasedHeuristicPredictor(new HeuristicRules(), Range, 5))],
            new EnsembleOptions
            {
                // Generous against a loaded CI machine: only an injected 5 s delay may time out, never a real prediction.
                MemberTimeout = TimeSpan.FromMilliseconds(250),
                CircuitBreaker = new CircuitBreakerSettings { FailureRatio = 0.5, MinimumThroughput = 10, SamplingDuration = TimeSpan.FromSeconds(10), BreakDuration = TimeSpan.FromSeconds(15) },
            },
            Range,
            timeProvider);

        var statuses = new Dictionary<MemberStatus, int>();
        var violations = new List<string>();
        for (var i = 0; i < calls; i++)
        {
            (timeProvider as FakeTimeProvider)?.Advance(TimeSpan.FromSeconds(1)); // one call a second: the breaker's window slides and breaks end
            var index = i % _contexts.Length;
            var result = fault == Fault.Latency ? await ensemble.PredictAsync(_contexts[index]) : ensemble.Predict(_contexts[index]);
            var member = result.Members.Single(m => m.Name == "quality");
            statuses[member.Status] = statuses.GetValueOrDefault(member.Status) + 1;
            violations.AddRange(ContractViolations(result, member, _reference.Predict(_contexts[index]).Score, fault));
        }

        var failed = statuses.GetValueOrDefault(MemberStatus.Failed) + statuses.GetValueOrDefault(MemberStatus.TimedOut);
        Settings.Report(
            $"{nameof(InjectedFaults_KeepEveryAnswerWithinTheFallbackContract)}/{fault}/{rate}",
            $"calls={calls} injected={injected} {string.Join(" ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"))} violations={violations.Count}");

        Assert.Multiple(() =>
        {
            Assert.That(violations.Take(10), Is.Empty, $"{violations.Count} answers broke the fallback contract");
            Assert.That(statuses.Values.Sum(), Is.EqualTo(calls));
            if (fault == Fault.Exception)
            {
                Assert.That(failed, Is.EqualTo(injected), "every injected exception is a failed member, visible in Members");
            }
            else if (fault == Fault.Outcome)
            {
                // A non-finite score or confidence is refused (the member failed); a finite but absurd one is clamped into the range.
                Assert.That(failed, Is.EqualTo(nonFinite), "non-finite injected answers count as failures");
            }
            else
            {
                Assert.That(statuses.GetValueOrDefault(MemberStatus.TimedOut), Is.EqualTo(injected), "every injected delay timed out");
            }

            if (rate >= 1.0 && fault != Fault.Outcome)
            {
                Assert.That(statuses.GetValueOrDefault(MemberStatus.CircuitOpen), Is.GreaterThan(0), "the circuit opened");
            }
        });
    }

    [Test]
    public async Task Circuit_OpensAfterTheConfiguredFailures_AndClosesAfterTheBreakWhenTheTrialSucceeds()
    {
        var time = new FakeTimeProvider();
        var failing = true;
        var injected = 0;
        var chaos = new ResiliencePipelineBuilder<QualityPredictionResult> { TimeProvider = time }
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                EnabledGenerator = _ => ValueTask.FromResult(Volatile.Read(ref failing)),
                InjectionRate = 1,
                FaultGenerator = new FaultGenerator().AddException(() =>
                {
                    injected++;
                    return new TimeoutException("chaos: injected fault");
                }),
            })
            .Build();
        var breaker = new CircuitBreakerSettings { FailureRatio = 0.5, MinimumThroughput = 4, SamplingDuration = TimeSpan.FromSeconds(10), BreakDuration = TimeSpan.FromSeconds(15) };
        using var ensemble = new EnsemblePredictor(
            "ensemble",
            [EnsembleMember.Model(new ChaosPredictor(await LoadAsync(), chaos)), EnsembleMember.Heuristic(new RuleBasedHeuristicPredictor(new HeuristicRules(), Range, 5))],
            new EnsembleOptions { MemberTimeout = TimeSpan.FromSeconds(1), CircuitBreaker = breaker },
            Range,
            time);
        MemberStatus Next() => ensemble.Predict(_contexts[0]).Members[0].Status;

        // 1. MinimumThroughput failures: each is Failed; then the circuit is open and the member is not called.
        var first = Enumerable.Range(0, breaker.MinimumThroughput).Select(_ => Next()).ToList();
        Assert.That(first, Is.All.EqualTo(MemberStatus.Failed));
        Assert.That(Next(), Is.EqualTo(MemberStatus.CircuitOpen));
        time.Advance(breaker.BreakDuration - TimeSpan.FromSeconds(1));
        Assert.That(Next(), Is.EqualTo(MemberStatus.CircuitOpen), "still open before the break ends");
        Assert.That(injected, Is.EqualTo(breaker.MinimumThroughput), "an open circuit does not call the member");

        // 2. After the break a trial call runs; it fails, so the circuit opens again.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(Next(), Is.EqualTo(MemberStatus.Failed));
        Assert.That(Next(), Is.EqualTo(MemberStatus.CircuitOpen));

        // 3. The fault clears; after the next break the trial succeeds and the circuit closes.
        Volatile.Write(ref failing, false);
        time.Advance(breaker.BreakDuration);
        var trial = ensemble.Predict(_contexts[0]);
        Assert.That(trial.Members[0].Status, Is.EqualTo(MemberStatus.Ok));
        Assert.That(trial.Source, Is.EqualTo(PredictionSource.Model));
        Assert.That(Enumerable.Range(0, 20).Select(_ => Next()), Is.All.EqualTo(MemberStatus.Ok), "closed again");
    }

    private static IEnumerable<string> ContractViolations(QualityPredictionResult result, EnsembleMemberResult member, double modelScore, Fault fault)
    {
        if (!double.IsFinite(result.Score) || result.Score < Range.Min || result.Score > Range.Max)
        {
            yield return $"score {result.Score} outside the range";
        }

        if (!(result.Confidence >= 0 && result.Confidence <= 1))
        {
            yield return $"confidence {result.Confidence} outside [0, 1]";
        }

        if (!(result.Interval.Lower >= Range.Min && result.Interval.Upper <= Range.Max && result.Interval.Lower <= result.Interval.Upper))
        {
            yield return $"interval [{result.Interval.Lower}, {result.Interval.Upper}] invalid";
        }

        if (result.Members.Count != 2)
        {
            yield return $"{result.Members.Count} members reported";
        }

        if (member.Status == MemberStatus.Ok)
        {
            if (result.Source != PredictionSource.Model)
            {
                yield return $"the model answered but the source is {result.Source}";
            }
            else if (fault != Fault.Outcome && Math.Abs(result.Score - modelScore) > 1e-9)
            {
                yield return $"model score {result.Score} differs from the real model's {modelScore}";
            }
        }
        else
        {
            if (result.Source != PredictionSource.Heuristic)
            {
                yield return $"the model member {member.Status} but the source is {result.Source}";
            }

            if (string.IsNullOrEmpty(member.Reason))
            {
                yield return $"member status {member.Status} without a reason";
            }
        }
    }

    private static async Task<CatalogModel> LoadAsync()
    {
        var predictor = await CatalogModel.LoadAsync(new ModelOptions { Name = "quality", Path = Fixtures.Numeric.ManifestPath, Runtime = "onnx", WatchForChanges = false }, [new OnnxModelRuntime()]);
        Assert.That(predictor.Status.State, Is.EqualTo(ModelLoadState.Loaded));
        return predictor;
    }
}
