namespace QualityPrediction.Ranking.Internal;

/// <summary>
/// The probability that one of several independent normal variables is the largest:
/// <c>P(X_i = max) = ∫ φ(z) Π_{j≠i} F_j(μ_i + σ_i z) dz</c>, integrated by adaptive Simpson quadrature.
/// </summary>
/// <remarks>
/// A standard deviation of 0 is a point mass: its distribution function is a step (split points are added at each step),
/// and point masses at exactly the same value share their probability equally, as the sampler breaks such ties uniformly.
/// The absolute error is below about 1e-9.
/// </remarks>
internal static class MaximumProbability
{
    private const double Limit = 9; // Φ(−9) ≈ 1e-19: the mass outside [−9, 9] is negligible.
    private const double Tolerance = 1e-11;
    private const int MaxDepth = 40;

    public static double Compute(ReadOnlySpan<double> means, ReadOnlySpan<double> deviations, int index)
    {
        var count = means.Length;
        if (count == 1)
        {
            return 1;
        }

        var mean = means[index];
        var deviation = deviations[index];
        if (deviation == 0)
        {
            return AtPointMass(means, deviations, index);
        }

        if (count == 2)
        {
            var other = 1 - index;
            if (deviations[other] > 0)
            {
                // Closed form: X_i − X_j is normal.
                return NormalDistribution.Cdf((mean - means[other]) / Math.Sqrt((deviation * deviation) + (deviations[other] * deviations[other])));
            }
        }

        // Split points: the panel edges and every step of a point mass inside [−Limit, Limit].
        var splits = new List<double>(count + 9);
        for (var panel = 0; panel <= 8; panel++)
        {
            splits.Add(-Limit + (panel * Limit / 4));
        }

        for (var j = 0; j < count; j++)
        {
            if (j != index && deviations[j] == 0)
            {
                var z = (means[j] - mean) / deviation;
                if (z > -Limit && z < Limit)
                {
                    splits.Add(z);
                }
            }
        }

        splits.Sort();
        var integrand = new Integrand(means.ToArray(), deviations.ToArray(), index);
        var total = 0.0;
        for (var s = 1; s < splits.Count; s++)
        {
            var a = splits[s - 1];
            var b = splits[s];
            if (b > a)
            {
                total += integrand.Adaptive(a, b);
            }
        }

        return Math.Clamp(total, 0, 1);
    }

    private static double AtPointMass(ReadOnlySpan<double> means, ReadOnlySpan<double> deviations, int index)
    {
        var x = means[index];
        var probability = 1.0;
        var tied = 1;
        for (var j = 0; j < means.Length; j++)
        {
            if (j == index)
            {
                continue;
            }

            if (deviations[j] > 0)
            {
                probability *= NormalDistribution.Cdf((x - means[j]) / deviations[j]);
            }
            else if (means[j] > x)
            {
                return 0;
            }
            else if (means[j] == x)
            {
                tied++;
            }
        }

        return probability / tied;
    }

    private sealed class Integrand(double[] means, double[] deviations, int index)
    {
        public double Adaptive(double a, double b)
        {
            var m = 0.5 * (a + b);
            var fa = Evaluate(a);
            var fm = Evaluate(m);
            var fb = Evaluate(b);
            return Refine(a, b, fa, fm, fb, Simpson(a, b, fa, fm, fb), Tolerance, MaxDepth);
        }

        private static double Simpson(double a, double b, double fa, double fm, double fb) => (b - a) / 6 * (fa + (4 * fm) + fb);

        private double Refine(double a, double b, double fa, double fm, double fb, double whole, double tolerance, int depth)
        {
            var m = 0.5 * (a + b);
            var lm = 0.5 * (a + m);
            var rm = 0.5 * (m + b);
            var flm = Evaluate(lm);
            var frm = Evaluate(rm);
            var left = Simpson(a, m, fa, flm, fm);
            var right = Simpson(m, b, fm, frm, fb);
            var delta = left + right - whole;
            if (depth <= 0 || Math.Abs(delta) <= 15 * tolerance)
            {
                return left + right + (delta / 15);
            }

            return Refine(a, m, fa, flm, fm, left, tolerance / 2, depth - 1)
                + Refine(m, b, fm, frm, fb, right, tolerance / 2, depth - 1);
        }

        private double Evaluate(double z)
        {
            var x = means[index] + (deviations[index] * z);
            var value = NormalDistribution.Density(z);
            for (var j = 0; j < means.Length && value > 0; j++)
            {
                if (j == index)
                {
                    continue;
                }

                value *= deviations[j] > 0
                    ? NormalDistribution.Cdf((x - means[j]) / deviations[j])
                    : (x > means[j] ? 1 : 0);
            }

            return value;
        }
    }
}
