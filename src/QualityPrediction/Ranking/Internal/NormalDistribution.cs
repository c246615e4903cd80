namespace QualityPrediction.Ranking.Internal;

/// <summary>The standard normal distribution: density, distribution function, quantile and sampling, in double precision.</summary>
internal static class NormalDistribution
{
    private const double InvSqrtPi = 0.56418958354775628695; // 1/√π
    private const double InvSqrtTwoPi = 0.39894228040143267794; // 1/√(2π)
    private const double Sqrt2 = 1.41421356237309504880;

    /// <summary>The density φ(z).</summary>
    public static double Density(double z) => InvSqrtTwoPi * Math.Exp(-0.5 * z * z);

    /// <summary>The distribution function Φ(z), with a relative error near 1e-14 in both tails.</summary>
    public static double Cdf(double z) => 0.5 * Erfc(-z / Sqrt2);

    /// <summary>The quantile Φ⁻¹(p) for p in (0, 1), solved by safeguarded Newton steps on <see cref="Cdf"/>.</summary>
    public static double Quantile(double p)
    {
        if (!(p is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The probability must lie strictly between 0 and 1.");
        }

        double low = -40, high = 40;

        // A rough start from the tail approximation z ≈ ±√(−2 ln q); Newton then converges in a few steps.
        var q = Math.Min(p, 1 - p);
        var z = Math.Sqrt(-2 * Math.Log(q)) * (p < 0.5 ? -1 : 1);
        if (q > 0.3)
        {
            z = (p - 0.5) * 2.5066282746310002; // √(2π): the linear term of the expansion around 0.5
        }

        for (var iteration = 0; iteration < 200; iteration++)
        {
            var error = Cdf(z) - p;
            if (error > 0)
            {
                high = z;
            }
            else
            {
                low = z;
            }

            var density = Density(z);
            var next = density > 0 ? z - (error / density) : double.NaN;
            if (!(next > low && next < high))
            {
                next = 0.5 * (low + high);
            }

            if (Math.Abs(next - z) <= 1e-15 * Math.Max(1, Math.Abs(z)))
            {
                return next;
            }

            z = next;
        }

        return z;
    }

    /// <summary>Draws one standard normal variate (Box–Muller).</summary>
    public static double Sample(Random random)
    {
        var u1 = 1.0 - random.NextDouble(); // (0, 1]
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>The complementary error function erfc(x).</summary>
    internal static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x < 0)
        {
            return 2.0 - Erfc(-x);
        }

        if (x < 2.5)
        {
            // erf(x) = (2/√π) e^{−x²} Σ_{n≥0} 2ⁿ x^{2n+1} / (1·3·…·(2n+1)): every term is positive, so no cancellation.
            var x2 = x * x;
            var term = x;
            var sum = x;
            for (var n = 1; n < 200; n++)
            {
                term *= 2.0 * x2 / ((2 * n) + 1);
                sum += term;
                if (term < 1e-17 * sum)
                {
                    break;
                }
            }

            return 1.0 - (2.0 * InvSqrtPi * Math.Exp(-x2) * sum);
        }

        if (x > 27)
        {
            return 0;
        }

        // Laplace's continued fraction erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))), evaluated from a fixed depth.
        var tail = x;
        for (var n = 80; n >= 1; n--)
        {
            tail = x + (0.5 * n / tail);
        }

        return InvSqrtPi * Math.Exp(-x * x) / tail;
    }
}
