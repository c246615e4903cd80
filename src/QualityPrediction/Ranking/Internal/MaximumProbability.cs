namespace QualityPrediction.Ranking.Internal;

/// <summary>
/// The probability that one of several independent normal variables is the largest:
/// <c>P(X_i = max) = ∫ φ(z) Π_{j≠i} F_j(μ_i + σ_i z) dz</c>, by composite Gauss–Legendre quadrature.
/// </summary>
/// <remarks>
/// The integral runs over z in [−9, 9] (the mass outside is about 2e-19) in panels 1 wide within [−4, 4] and wider in the
/// tails (where φ is below 1.4e-4), with extra panel
/// edges wherever another variable's distribution function changes quickly: around each narrower variable's mean
/// (edges at ±0, 1, 2, 4, 6 of its standard deviations) and at each point mass's step. Each panel gets an 8-point
/// Gauss–Legendre rule, which integrates these smooth pieces to about 1e-10. A standard deviation of 0 is a point
/// mass; point masses at exactly the same value share their probability equally, as the sampler breaks such ties
/// uniformly.
/// </remarks>
internal static class MaximumProbability
{
    private const double Limit = 9;
    private const double Negligible = 1e-13;
    private const int Points = 8;
    private static readonly double[] UnitEdges = [-Limit, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, Limit];
    private static readonly double[] TransitionOffsets = [-6, -4, -2, -1, 0, 1, 2, 4, 6];
    private static readonly (double[] Nodes, double[] Weights) Rule = GaussLegendre(Points);

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

        // Early outs, common once one candidate is clearly ahead. The product of the others' distribution functions rises
        // with z; if it is already ≈ 1 at the lower limit this candidate is almost surely the largest, and if it is still
        // ≈ 0 at the upper limit it almost surely is not.
        if (OthersBelow(means, deviations, index, mean - (Limit * deviation)) >= 1 - Negligible)
        {
            return 1;
        }

        if (OthersBelow(means, deviations, index, mean + (Limit * deviation)) <= Negligible)
        {
            return 0;
        }

        var edges = new List<double>(UnitEdges.Length + (count * TransitionOffsets.Length));
        edges.AddRange(UnitEdges);

        for (var j = 0; j < count; j++)
        {
            if (j == index || deviations[j] >= deviation)
            {
                continue; // as smooth as φ itself on this scale: the unit panels suffice
            }

            if (deviations[j] == 0)
            {
                AddEdge(edges, (means[j] - mean) / deviation);
                continue;
            }

            foreach (var offset in TransitionOffsets)
            {
                AddEdge(edges, (means[j] + (offset * deviations[j]) - mean) / deviation);
            }
        }

        edges.Sort();
        var (nodes, weights) = Rule;
        var total = 0.0;
        for (var e = 1; e < edges.Count; e++)
        {
            var a = edges[e - 1];
            var b = edges[e];
            if (!(b > a))
            {
                continue;
            }

            var half = 0.5 * (b - a);
            var middle = 0.5 * (a + b);
            var panel = 0.0;
            for (var n = 0; n < nodes.Length; n++)
            {
                var z = middle + (half * nodes[n]);
                panel += weights[n] * NormalDistribution.Density(z) * OthersBelow(means, deviations, index, mean + (deviation * z));
            }

            total += half * panel;
        }

        return Math.Clamp(total, 0, 1);
    }

    private static void AddEdge(List<double> edges, double z)
    {
        if (z > -Limit && z < Limit)
        {
            edges.Add(z);
        }
    }

    /// <summary>The probability that every variable other than <paramref name="index"/> lies below <paramref name="x"/> (a point mass at x counts as below only when strictly below).</summary>
    private static double OthersBelow(ReadOnlySpan<double> means, ReadOnlySpan<double> deviations, int index, double x)
    {
        var value = 1.0;
        for (var j = 0; j < means.Length && value > 0; j++)
        {
            if (j != index)
            {
                value *= deviations[j] > 0
                    ? NormalDistribution.Cdf((x - means[j]) / deviations[j])
                    : (x > means[j] ? 1 : 0);
            }
        }

        return value;
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

    /// <summary>The nodes and weights of the n-point Gauss–Legendre rule on [−1, 1]: the roots of the Legendre polynomial Pₙ, found by Newton's method.</summary>
    private static (double[] Nodes, double[] Weights) GaussLegendre(int n)
    {
        var nodes = new double[n];
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            var x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5)); // a start close to the i-th root
            double derivative;
            while (true)
            {
                // Pₙ(x) and Pₙ₋₁(x) by the three-term recurrence.
                double previous = 1, current = x;
                for (var k = 2; k <= n; k++)
                {
                    var next = (((2 * k) - 1) * x * current - ((k - 1) * previous)) / k;
                    previous = current;
                    current = next;
                }

                derivative = n * ((x * current) - previous) / ((x * x) - 1);
                var step = current / derivative;
                x -= step;
                if (Math.Abs(step) < 1e-15)
                {
                    break;
                }
            }

            nodes[i] = x;
            weights[i] = 2 / ((1 - (x * x)) * derivative * derivative);
        }

        return (nodes, weights);
    }
}
