namespace QualityPrediction;

/// <summary>The declared range of a quality score; predictions are clamped to it.</summary>
/// <param name="Min">The lowest possible score.</param>
/// <param name="Max">The highest possible score.</param>
public readonly record struct ScoreRange(double Min, double Max)
{
    /// <summary>Gets the conventional 0–100 range.</summary>
    public static ScoreRange Percent { get; } = new(0, 100);

    /// <summary>Gets the width of the range (<see cref="Max"/> − <see cref="Min"/>).</summary>
    public double Width => Max - Min;

    /// <summary>Clamps <paramref name="value"/> into the range.</summary>
    /// <param name="value">The value to clamp.</param>
    /// <returns>The clamped value.</returns>
    public double Clamp(double value) => value < Min ? Min : value > Max ? Max : value;

    /// <summary>Throws when the range is not finite or <see cref="Min"/> is not below <see cref="Max"/>.</summary>
    /// <param name="paramName">The parameter name to report.</param>
    /// <exception cref="ArgumentException">The range is invalid.</exception>
    public void Validate(string? paramName = null)
    {
        if (!double.IsFinite(Min) || !double.IsFinite(Max) || Min >= Max)
        {
            throw new ArgumentException($"The score range [{Min}, {Max}] is invalid: both bounds must be finite and Min must be below Max.", paramName);
        }
    }
}
