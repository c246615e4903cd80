using System.Globalization;

namespace QualityPrediction.Ranking;

/// <summary>A candidate together with the prediction made for it and its place in the ranking.</summary>
/// <remarks>Immutable. <see cref="Prediction"/> is the predictor's answer as is; only the chosen candidate's copy in <see cref="RankingResult.ChosenPrediction"/> carries a selection probability.</remarks>
public sealed class RankedCandidate
{
    /// <summary>Creates a ranked candidate (the ranker does this; policies and tests may too).</summary>
    /// <param name="candidate">The candidate.</param>
    /// <param name="context">The context the candidate was scored on.</param>
    /// <param name="prediction">The prediction for <paramref name="context"/>.</param>
    /// <param name="rank">The 1-based rank by predicted score (1 = highest).</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is below 1.</exception>
    public RankedCandidate(RankingCandidate candidate, PredictionContext context, QualityPredictionResult prediction, int rank)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        Candidate = candidate;
        Context = context;
        Prediction = prediction;
        Rank = rank;
    }

    /// <summary>Gets the candidate.</summary>
    public RankingCandidate Candidate { get; }

    /// <summary>Gets the context the candidate was scored on (the base context itself when the candidate sets no feature). Do not change it.</summary>
    public PredictionContext Context { get; }

    /// <summary>Gets the prediction for <see cref="Context"/>.</summary>
    public QualityPredictionResult Prediction { get; }

    /// <summary>Gets the 1-based rank by predicted score: 1 is the highest; equal scores keep the order the candidates were given in.</summary>
    public int Rank { get; }

    /// <summary>Gets the candidate's name.</summary>
    public string Name => Candidate.Name;

    /// <summary>Gets the predicted score.</summary>
    public double Score => Prediction.Score;

    /// <summary>Gets the prediction's confidence.</summary>
    public double Confidence => Prediction.Confidence;

    /// <summary>Gets the prediction interval.</summary>
    public PredictionInterval Interval => Prediction.Interval;

    /// <summary>Gets the candidate's cost, when known.</summary>
    public double? Cost => Candidate.Cost;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Rank}. {Name}: {Score}");
}
