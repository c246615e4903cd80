using System.Globalization;
using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Ranking;

/// <summary>
/// With probability ε chooses a candidate uniformly at random (exploration); otherwise defers to an exploiting policy,
/// <see cref="GreedyPolicy"/> by default.
/// </summary>
/// <remarks>
/// Selection probability of the candidate at index i among k: <c>(1 − ε)·p(i) + ε/k</c>, where p(i) is the exploiting
/// policy's probability; with the greedy default and a unique top candidate that is <c>1 − ε + ε/k</c> for the top
/// candidate and <c>ε/k</c> for every other. Every candidate keeps a probability of at least ε/k, so every
/// candidate keeps being observed and inverse-propensity weights stay bounded by k/ε. Thread-safe when the exploiting
/// policy is.
/// </remarks>
public sealed class EpsilonGreedyPolicy : RankingPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="epsilon">The exploration rate ε in [0, 1]: the probability of a uniformly random choice.</param>
    /// <param name="exploit">The policy used the rest of the time; <see langword="null"/> for <see cref="GreedyPolicy"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is outside [0, 1].</exception>
    public EpsilonGreedyPolicy(double epsilon, RankingPolicy? exploit = null)
    {
        if (!(epsilon is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The exploration rate ε must lie in [0, 1].");
        }

        Epsilon = epsilon;
        Exploit = exploit ?? new GreedyPolicy();
    }

    /// <summary>Gets the exploration rate ε.</summary>
    public double Epsilon { get; }

    /// <summary>Gets the policy used when not exploring.</summary>
    public RankingPolicy Exploit { get; }

    /// <inheritdoc />
    /// <value><c>epsilon-greedy(ε)</c>, or <c>epsilon-greedy(ε, exploit)</c> with another exploiting policy than greedy.</value>
    public override string Name => Exploit is GreedyPolicy
        ? string.Create(CultureInfo.InvariantCulture, $"epsilon-greedy({Epsilon})")
        : string.Create(CultureInfo.InvariantCulture, $"epsilon-greedy({Epsilon}, {Exploit.Name})");

    /// <inheritdoc />
    public override int Choose(IReadOnlyList<RankedCandidate> candidates, Random random)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(random);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("There are no candidates to choose from.", nameof(candidates));
        }

        return Epsilon > 0 && random.NextDouble() < Epsilon
            ? random.Next(candidates.Count)
            : Exploit.Choose(candidates, random);
    }

    /// <inheritdoc />
    public override double GetSelectionProbability(IReadOnlyList<RankedCandidate> candidates, int index)
    {
        ArgMax.CheckIndex(candidates, index);
        var exploit = Epsilon < 1 ? Exploit.GetSelectionProbability(candidates, index) : 0;
        return ((1 - Epsilon) * exploit) + (Epsilon / candidates.Count);
    }
}
