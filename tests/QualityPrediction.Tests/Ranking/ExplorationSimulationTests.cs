using System.Globalization;
using System.Text;
using QualityPrediction.Ranking;
using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Tests.Ranking;

/// <summary>
/// A generated world in which each candidate has a known true mean quality and noisy outcomes. A learner
/// (<see cref="NormalPosteriorLearner"/>) starts from wrong beliefs (optimistic about a mediocre candidate, pessimistic
/// about the best one) and learns only from the outcomes of what the policy chose. Greedy selection gets stuck; the
/// exploring policies find the best candidate. Prints the regret table quoted in docs/ranking.md.
/// </summary>
[TestFixture]
public sealed class ExplorationSimulationTests
{
    private const int Turns = 2000;
    private const int LatePhaseStart = 1500; // the last quarter of the turns
    private const double Noise = 0.15;
    private const string BestName = "best";

    private static readonly int[] Seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    private static readonly int[] Checkpoints = [10, 50, 100, 250, 500, 1000, 2000];

    // name, true mean quality, prior mean, prior standard deviation
    private static readonly (string Name, double TrueMean, double PriorMean, double PriorDeviation)[] World =
    [
        ("hyped", 0.55, 0.80, 0.20),   // mediocre, but believed excellent
        (BestName, 0.75, 0.30, 0.20),  // truly the best, but believed poor
        ("steady", 0.60, 0.45, 0.20),
        ("weak", 0.45, 0.40, 0.20),
    ];

    private static readonly Func<RankingPolicy>[] Policies =
    [
        () => new GreedyPolicy(),
        () => new MinimumConfidencePolicy(0.9),
        () => new EpsilonGreedyPolicy(0.1),
        () => new UpperConfidenceBoundPolicy(),
        () => new UpperConfidenceBoundPolicy(2),
        () => new ThompsonSamplingPolicy(),
    ];

    private Dictionary<string, Run[]> _runs = null!;

    [OneTimeSetUp]
    public void RunAllPolicies()
    {
        _runs = Policies.ToDictionary(p => p().Name, p => Seeds.Select(seed => Simulate(p(), seed)).ToArray());
    }

    [Test]
    public void Exploring_policies_have_much_lower_regret_than_greedy_and_the_table_is_printed()
    {
        TestContext.Out.WriteLine(FormatTable());
        var greedy = MeanFinalRegret("greedy");
        Assert.Multiple(() =>
        {
            foreach (var name in new[] { "epsilon-greedy(0.1)", "ucb(1)", "ucb(2)", "thompson(1)" })
            {
                Assert.That(MeanFinalRegret(name), Is.LessThan(0.35 * greedy), $"{name}: mean regret after {Turns} turns vs greedy's {greedy:F1}");
                for (var s = 0; s < Seeds.Length; s++)
                {
                    Assert.That(_runs[name][s].FinalRegret, Is.LessThan(_runs["greedy"][s].FinalRegret), $"{name}, seed {Seeds[s]}");
                }
            }
        });
    }

    [Test]
    public void Greedy_gets_stuck_on_the_wrong_belief_and_never_learns_the_best_candidate_is_good()
    {
        Assert.Multiple(() =>
        {
            foreach (var name in new[] { "greedy", "minimum-confidence(0.9)" })
            {
                foreach (var run in _runs[name])
                {
                    Assert.That(run.LateBestRate, Is.LessThan(0.05), $"{name}, seed {run.Seed}: late pick rate of the best candidate");
                    Assert.That(run.FinalBelief[BestName], Is.LessThan(0.5), $"{name}, seed {run.Seed}: belief about the best candidate stays wrong");
                }
            }
        });
    }

    [Test]
    public void Exploring_policies_converge_to_the_truly_best_candidate()
    {
        Assert.Multiple(() =>
        {
            foreach (var (name, minimumRate) in new[] { ("epsilon-greedy(0.1)", 0.85), ("ucb(2)", 0.9), ("thompson(1)", 0.9) })
            {
                foreach (var run in _runs[name])
                {
                    Assert.That(run.LateBestRate, Is.GreaterThanOrEqualTo(minimumRate), $"{name}, seed {run.Seed}: late pick rate of the best candidate");
                    Assert.That(run.FinalBelief[BestName], Is.EqualTo(0.75).Within(0.05), $"{name}, seed {run.Seed}: learned mean of the best candidate");
                }
            }
        });
    }

    [Test]
    public void Upper_confidence_bound_on_a_fixed_coverage_interval_usually_converges_but_can_lock_out()
    {
        // A fixed-coverage interval does not widen with time as textbook UCB's bonus does: an unlucky early outcome can
        // push the best candidate's upper bound below a rival's converged score for good. Scale 1 on a 90% interval is
        // close to that edge in this world; scale 2 is not (asserted above). docs/ranking.md reports the counts.
        var converged = _runs["ucb(1)"].Count(r => r.LateBestRate >= 0.9);
        Assert.That(converged, Is.GreaterThanOrEqualTo(Seeds.Length * 3 / 4));
        TestContext.Out.WriteLine($"ucb(1) converged on {converged} of {Seeds.Length} seeds; ucb(2) on {_runs["ucb(2)"].Count(r => r.LateBestRate >= 0.9)}.");
    }

    [Test]
    public void Recorded_selection_probabilities_match_the_policy()
    {
        Assert.Multiple(() =>
        {
            foreach (var run in _runs["epsilon-greedy(0.1)"])
            {
                // k = 4: 1 − ε + ε/k = 0.925 for the greedy pick, ε/k = 0.025 otherwise.
                Assert.That(run.RecordedProbabilities.Distinct().Order(), Is.EqualTo(new[] { 0.025, 0.925 }).Within(1e-12), $"seed {run.Seed}");
            }

            foreach (var run in _runs["greedy"].Concat(_runs["ucb(1)"]).Concat(_runs["ucb(2)"]))
            {
                Assert.That(run.RecordedProbabilities, Is.All.EqualTo(1.0), $"seed {run.Seed}");
            }

            foreach (var run in _runs["thompson(1)"])
            {
                Assert.That(run.RecordedProbabilities.Min(), Is.GreaterThan(0.0), $"seed {run.Seed}");
                Assert.That(run.RecordedProbabilities.Max(), Is.LessThanOrEqualTo(1.0), $"seed {run.Seed}");
                Assert.That(run.RecordedProbabilities.Skip(LatePhaseStart).Average(), Is.GreaterThan(0.9), $"seed {run.Seed}: late choices are near-certain");
            }
        });
    }

    [Test]
    public void Exploring_logs_cover_every_candidate_and_weighted_estimates_recover_each_true_mean()
    {
        // Off-policy evaluation from the ε-greedy logs: the value of "always choose X" is estimated by weighting each
        // turn where X was chosen by 1 / (its recorded selection probability), self-normalized (Σ w·r / Σ w) over the turns
        // of all seeds. (This world has no context, so a plain mean per candidate would do as well here; the weights matter
        // when the chance of being chosen depends on features, see docs/ranking.md.) The greedy logs hold no outcome at all
        // for the best candidate, so no weighting can value it.
        var logs = _runs["epsilon-greedy(0.1)"].SelectMany(r => r.Log.Zip(r.RecordedProbabilities, (entry, p) => (entry.Chosen, entry.Outcome, Weight: 1 / p))).ToArray();
        Assert.Multiple(() =>
        {
            foreach (var (name, trueMean, _, _) in World)
            {
                var rows = logs.Where(l => l.Chosen == name).ToArray();
                var estimate = rows.Sum(l => l.Weight * l.Outcome) / rows.Sum(l => l.Weight);
                Assert.That(estimate, Is.EqualTo(trueMean).Within(0.03), $"{name}: {rows.Length} logged turns");
            }

            Assert.That(_runs["greedy"].Sum(r => r.Log.Count(l => l.Chosen == BestName)), Is.Zero, "greedy never observed the best candidate");
        });
    }

    private static Run Simulate(RankingPolicy policy, int seed)
    {
        var learner = new NormalPosteriorLearner(Noise, tolerance: 0.05);
        foreach (var (name, _, priorMean, priorDeviation) in World)
        {
            learner.SetPrior(name, priorMean, priorDeviation);
        }

        var ranker = new QualityRanker(learner, policy, new Random(seed));
        var outcomes = new Random(unchecked((seed * 7919) + 17));
        var candidates = World.Select(w => RankingCandidate.ForModel("sim", w.Name)).ToArray();
        var trueMeans = World.ToDictionary(w => w.Name, w => w.TrueMean);
        var bestMean = World.Max(w => w.TrueMean);
        var baseContext = new PredictionContext().WithScenario("crypt");

        var regret = 0.0;
        var regretAt = new List<double>();
        var lateBest = 0;
        var probabilities = new double[Turns];
        var log = new (string Chosen, double Outcome)[Turns];
        for (var turn = 1; turn <= Turns; turn++)
        {
            var result = ranker.Rank(baseContext, candidates);
            var chosen = result.Chosen.Candidate.Features[WellKnownFeatures.Model].Category!;
            probabilities[turn - 1] = result.ChosenPrediction.SelectionProbability!.Value;
            var outcome = trueMeans[chosen] + (Noise * NormalDistribution.Sample(outcomes));
            learner.Observe(chosen, outcome);
            log[turn - 1] = (chosen, outcome);

            regret += bestMean - trueMeans[chosen]; // expected (pseudo-)regret: the outcome noise does not blur it
            if (turn > LatePhaseStart && chosen == BestName)
            {
                lateBest++;
            }

            if (Checkpoints.Contains(turn))
            {
                regretAt.Add(regret);
            }
        }

        var beliefs = World.ToDictionary(w => w.Name, w => learner.Predict(new PredictionContext().WithModel(w.Name)).Score);
        return new Run(seed, [.. regretAt], lateBest / (double)(Turns - LatePhaseStart), beliefs, probabilities, log);
    }

    private double MeanFinalRegret(string policy) => _runs[policy].Average(r => r.FinalRegret);

    private string FormatTable()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Cumulative regret by turn (mean over seeds {string.Join(",", Seeds)}; true means: {string.Join(", ", World.Select(w => $"{w.Name} {w.TrueMean:F2}"))}; noise sd {Noise})");
        text.Append(CultureInfo.InvariantCulture, $"| {"policy",-24} |");
        foreach (var turn in Checkpoints)
        {
            text.Append(CultureInfo.InvariantCulture, $" {turn,6} |");
        }

        text.AppendLine(" best picked, last 500 turns |");
        text.Append("|--------------------------|");
        foreach (var _ in Checkpoints)
        {
            text.Append("-------:|");
        }

        text.AppendLine("---------------------------:|");
        foreach (var (policy, runs) in _runs)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {policy,-24} |");
            for (var c = 0; c < Checkpoints.Length; c++)
            {
                text.Append(CultureInfo.InvariantCulture, $" {runs.Average(r => r.RegretAt[c]),6:F1} |");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $" {runs.Average(r => r.LateBestRate),26:P1} |");
        }

        return text.ToString();
    }

    private sealed record Run(int Seed, double[] RegretAt, double LateBestRate, Dictionary<string, double> FinalBelief, double[] RecordedProbabilities, (string Chosen, double Outcome)[] Log)
    {
        public double FinalRegret => RegretAt[^1];
    }
}
