using System.Globalization;
using QualityPrediction;
using QualityPrediction.Heuristics;
using QualityPrediction.Monitoring;
using QualityPrediction.Ranking;

/// <summary>
/// The simulated game session of the sample: each turn ranks the candidate models with an exploring policy, "generates"
/// the narration (its quality drawn from a hidden true quality per model), reports the outcome to the monitor, and
/// every few turns refits the heuristic on the bundled outcomes plus the session's, as a retraining job would.
/// </summary>
internal sealed class GameSession
{
    private static readonly string[] ActionTypes = ["combat", "dialogue", "exploration", "puzzle"];
    private static readonly string[] RollTypes = ["critical-success", "success", "success", "failure", "critical-failure"];

    private readonly SessionOptions _options;
    private readonly HeuristicFitOptions _fit;
    private readonly ScoreRange _range;
    private readonly double _tolerance;
    private readonly IOutcomeReporter _reporter;
    private readonly QualityMonitor _monitor;
    private readonly List<PredictionContext> _contexts;
    private readonly List<double> _targets;
    private readonly int _bundled;

    public GameSession(SessionOptions options, HeuristicFitOptions fit, ScoreRange range, double tolerance, string outcomesPath, IOutcomeReporter reporter, QualityMonitor monitor)
    {
        if (options.Models.Count < 2 || options.Turns < 1 || options.RefitEvery < 1)
        {
            throw new ArgumentException("The \"Session\" section of appsettings.json needs at least two Models, Turns ≥ 1 and RefitEvery ≥ 1.", nameof(options));
        }

        _options = options;
        _fit = fit;
        _range = range;
        _tolerance = tolerance;
        _reporter = reporter;
        _monitor = monitor;
        var (contexts, targets) = OutcomeFile.ReadJsonLines(outcomesPath, fit.Target);
        _contexts = [.. contexts];
        _targets = [.. targets];
        _bundled = _contexts.Count;
    }

    /// <summary>Plays the session with the exploring policy (printed), then replays the same turns greedily for comparison.</summary>
    public void Run()
    {
        var truth = _options.Models.ToDictionary(m => $"{m.Provider}/{m.Model}", m => m.TrueQuality, StringComparer.Ordinal);
        var exploring = new ThompsonSamplingPolicy(_options.SpreadScale);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Game session: {_options.Turns} turns, policy {exploring.Name}, refit every {_options.RefitEvery} turns (hidden true quality: {string.Join(", ", truth.Select(t => $"{t.Key} {t.Value}"))})."));
        var explored = Play(exploring, truth, print: true);
        var greedy = Play(new GreedyPolicy(), truth, print: false);
        foreach (var (name, result) in new[] { (exploring.Name, explored), ("greedy", greedy) })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-12} chose {string.Join(", ", result.Counts.Where(c => c.Value > 0).Select(c => $"{c.Key} ×{c.Value}"))}; mean true quality {result.MeanTrueQuality:F1}; final belief: {result.Belief}"));
        }
    }

    private (Dictionary<string, int> Counts, double MeanTrueQuality, string Belief) Play(RankingPolicy policy, Dictionary<string, double> truth, bool print)
    {
        // The same world (turn contexts and noise) for every policy, and the bundled outcomes only at the start.
        var world = new Random(_options.Seed);
        _contexts.RemoveRange(_bundled, _contexts.Count - _bundled);
        _targets.RemoveRange(_bundled, _targets.Count - _bundled);
        var candidates = _options.Models.Select(m => RankingCandidate.ForModel(m.Provider, m.Model)).ToArray();
        var predictor = Refit();
        var ranker = new QualityRanker(predictor, policy, new Random(_options.Seed + 1));
        if (print)
        {
            PrintRanking("start", ranker, predictor);
            Console.WriteLine($"{"turn",4} {"action",-12} {"roll",-17} {"chosen",-26} {"p",5} {"predicted",9} {"observed",8} {"|error|",7}");
        }

        var counts = candidates.ToDictionary(c => c.Name, _ => 0, StringComparer.Ordinal);
        var trueQuality = 0.0;
        for (var turn = 1; turn <= _options.Turns; turn++)
        {
            // 1. The turn's context; rank the candidates for it and choose one (its selection probability is recorded).
            var context = new PredictionContext()
                .WithActionType(ActionTypes[world.Next(ActionTypes.Length)])
                .WithRollType(RollTypes[world.Next(RollTypes.Length)]);
            var noise = Gaussian(world) * 6;
            var ranking = ranker.Rank(context, candidates);
            var chosen = ranking.Chosen;
            counts[chosen.Name]++;
            trueQuality += truth[chosen.Name];

            // 2. "Generate": the narration's quality comes from the chosen model's hidden true quality, the turn's effects and noise.
            var observed = Generate(truth[chosen.Name], context, noise);
            _contexts.Add(chosen.Context);
            _targets.Add(observed);
            if (!print)
            {
                continue;
            }

            // 3. Report the outcome. The monitor did not see this prediction (the session's own refitted predictor made it), so pass the result.
            _reporter.ReportOutcome(ranking.ChosenPrediction, observed, chosen.Context, "session");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{turn,4} {context[WellKnownFeatures.ActionType],-12} {context[WellKnownFeatures.RollType],-17} {chosen.Name,-26} {ranking.SelectionProbability,5:F2} {chosen.Score,9:F1} {observed,8:F1} {Math.Abs(observed - chosen.Score),7:F1}"));

            // 4. Every few turns: what the monitor says about the version that served them; then refit on everything so far.
            if (turn % _options.RefitEvery == 0 || turn == _options.Turns)
            {
                PrintMonitor(predictor.Model.Version);
            }

            if (turn % _options.RefitEvery == 0 && turn < _options.Turns)
            {
                predictor = Refit();
                ranker = new QualityRanker(predictor, policy, new Random(_options.Seed + 1 + turn));
                PrintRanking($"refit on {_bundled} + {_contexts.Count - _bundled} outcomes", ranker, predictor);
            }
            else if (turn % _options.RefitEvery == 0)
            {
                predictor = Refit();
                ranker = new QualityRanker(predictor, policy, new Random(_options.Seed + 1 + turn));
            }
        }

        if (!print || _options.Turns % _options.RefitEvery != 0)
        {
            predictor = Refit();
            ranker = new QualityRanker(predictor, policy, new Random(_options.Seed + 1));
        }

        return (counts, trueQuality / _options.Turns, Belief(ranker));
    }

    private FittedHeuristicPredictor Refit() =>
        new(FittedHeuristicModel.Fit(_contexts, _targets, _fit, _range, _tolerance));

    private double Generate(double trueQuality, PredictionContext context, double noise)
    {
        // The effects of data/README.md (actionType, rollType), and Gaussian noise with standard deviation 6.
        var action = context[WellKnownFeatures.ActionType].Category switch
        {
            "combat" => 3,
            "dialogue" => -2,
            "puzzle" => -4,
            _ => 0,
        };
        var roll = context[WellKnownFeatures.RollType].Category switch
        {
            "critical-success" => 4,
            "success" => 1,
            "failure" => -2,
            _ => -5,
        };
        return Math.Round(Math.Clamp(trueQuality + action + roll + noise, _range.Min, _range.Max), 1);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private void PrintRanking(string label, QualityRanker ranker, FittedHeuristicPredictor predictor) =>
        Console.WriteLine($"  [{label}] heuristic {predictor.Model.Version}: {Belief(ranker)}");

    private string Belief(QualityRanker ranker)
    {
        // A neutral turn (exploration, success), ranked greedily: what the current model believes.
        var belief = ranker.Rank(
            new PredictionContext().WithActionType("exploration").WithRollType("success"),
            _options.Models.Select(m => RankingCandidate.ForModel(m.Provider, m.Model)),
            new GreedyPolicy());
        return string.Join(" > ", belief.Candidates.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name} {c.Score:F1}")));
    }

    private void PrintMonitor(string version)
    {
        var metrics = _monitor.GetSnapshot().Metrics.FirstOrDefault(m => m.ModelVersion == version);
        if (metrics is { MeanAbsoluteError: { } mae, Accuracy: { } accuracy })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  [monitor] version {version}: rolling MAE {mae:F1}, within ±{metrics.Tolerance:0} {accuracy:P0}, over {metrics.Count} outcomes"));
        }
    }
}

/// <summary>The "Session" section of appsettings.json.</summary>
internal sealed class SessionOptions
{
    public int Turns { get; set; } = 20;

    public int RefitEvery { get; set; } = 4;

    public int Seed { get; set; } = 7;

    public double SpreadScale { get; set; } = 1;

    /// <summary>The shrinkage of the session's refits; a short session needs a few outcomes to count (the host's heuristic keeps its own).</summary>
    public double? Shrinkage { get; set; }

    public List<SessionModel> Models { get; set; } = [];
}

/// <summary>A candidate model and its hidden true quality in the simulated world.</summary>
internal sealed class SessionModel
{
    public string Provider { get; set; } = "";

    public string Model { get; set; } = "";

    public double TrueQuality { get; set; }
}
