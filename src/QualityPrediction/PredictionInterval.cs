namespace QualityPrediction;

/// <summary>A prediction interval: the true score is expected to lie in [<see cref="Lower"/>, <see cref="Upper"/>] with probability <see cref="Coverage"/>.</summary>
/// <param name="Lower">The lower bound, in the target's scale.</param>
/// <param name="Upper">The upper bound, in the target's scale.</param>
/// <param name="Coverage">The nominal coverage in [0, 1] (for example 0.9); 0 when the interval carries no coverage claim.</param>
public readonly record struct PredictionInterval(double Lower, double Upper, double Coverage)
{
    /// <summary>Gets the width of the interval.</summary>
    public double Width => Upper - Lower;

    /// <summary>Returns whether <paramref name="value"/> lies inside the interval (bounds included).</summary>
    /// <param name="value">The value to test.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is within the bounds.</returns>
    public bool Contains(double value) => value >= Lower && value <= Upper;
}
