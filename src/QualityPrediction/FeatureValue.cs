using System.Globalization;

namespace QualityPrediction;

/// <summary>The kind of a feature: a number or a category (string).</summary>
public enum FeatureKind
{
    /// <summary>A finite floating-point number.</summary>
    Numeric,

    /// <summary>A string category such as a provider or model name.</summary>
    Categorical,
}

/// <summary>One feature value: either a finite number or a category string. Converts implicitly from <see cref="double"/>, <see cref="int"/> and <see cref="string"/>.</summary>
public readonly struct FeatureValue : IEquatable<FeatureValue>
{
    private readonly string? _text;
    private readonly double _number;

    private FeatureValue(double number)
    {
        _number = number;
        _text = null;
    }

    private FeatureValue(string text)
    {
        _number = double.NaN;
        _text = text;
    }

    /// <summary>Gets the kind of this value.</summary>
    public FeatureKind Kind => _text is null ? FeatureKind.Numeric : FeatureKind.Categorical;

    /// <summary>Gets the number; <see cref="double.NaN"/> for a categorical value.</summary>
    public double Number => _number;

    /// <summary>Gets the category; <see langword="null"/> for a numeric value.</summary>
    public string? Category => _text;

    /// <summary>Creates a numeric value.</summary>
    /// <param name="value">A finite number.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or infinite.</exception>
    public static FeatureValue Numeric(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"A numeric feature value must be finite, not {value.ToString(CultureInfo.InvariantCulture)}.", nameof(value));
        }

        return new FeatureValue(value);
    }

    /// <summary>Creates a categorical value.</summary>
    /// <param name="value">The category.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public static FeatureValue Categorical(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new FeatureValue(value);
    }

    /// <summary>Converts a number to a numeric value.</summary>
    /// <param name="value">A finite number.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or infinite.</exception>
    public static implicit operator FeatureValue(double value) => Numeric(value);

    /// <summary>Converts an integer to a numeric value.</summary>
    /// <param name="value">The number.</param>
    public static implicit operator FeatureValue(int value) => new(value);

    /// <summary>Converts a string to a categorical value.</summary>
    /// <param name="value">The category.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public static implicit operator FeatureValue(string value) => Categorical(value);

    /// <summary>Creates a numeric value (the named alternative to the implicit conversion).</summary>
    /// <param name="value">A finite number.</param>
    /// <returns>The value.</returns>
    public static FeatureValue FromDouble(double value) => Numeric(value);

    /// <summary>Creates a categorical value (the named alternative to the implicit conversion).</summary>
    /// <param name="value">The category.</param>
    /// <returns>The value.</returns>
    public static FeatureValue FromString(string value) => Categorical(value);

    /// <inheritdoc />
    public bool Equals(FeatureValue other) =>
        Kind == other.Kind && (Kind == FeatureKind.Numeric ? _number.Equals(other._number) : string.Equals(_text, other._text, StringComparison.Ordinal));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FeatureValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _text is null ? _number.GetHashCode() : StringComparer.Ordinal.GetHashCode(_text);

    /// <inheritdoc />
    public override string ToString() => _text ?? _number.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Compares two values for equality.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(FeatureValue left, FeatureValue right) => left.Equals(right);

    /// <summary>Compares two values for inequality.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(FeatureValue left, FeatureValue right) => !left.Equals(right);
}
