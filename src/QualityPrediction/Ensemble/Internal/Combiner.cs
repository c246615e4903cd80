namespace QualityPrediction.Ensemble.Internal;

/// <summary>Accumulates the members that answered: the first answer (for a chain) and weighted sums (for averages).</summary>
internal struct Combiner(ScoreRange range)
{
    private double _weight, _score, _confidence, _lower, _upper;
    private double _cWeight, _cScore, _cConfidence, _cLower, _cUpper;
    private double _eScore, _eConfidence, _eLower, _eUpper;

    /// <summary>Gets the index of the first member that answered; -1 before any.</summary>
    public int First { get; private set; } = -1;

    public int Count { get; private set; }

    public double MinCoverage { get; private set; } = 1;

    public ConfidenceKind WeakestKind { get; private set; } = ConfidenceKind.Calibrated;

    public readonly bool HasAnswer => First >= 0;

    public void Add(int member, double weight, in Attempt attempt)
    {
        if (!attempt.IsOk)
        {
            return;
        }

        if (First < 0)
        {
            First = member;
        }

        Count++;
        var score = range.Clamp(attempt.Score);
        var confidence = Math.Clamp(attempt.Confidence, 0, 1);
        var interval = attempt.Interval;
        var (lower, upper) = (range.Clamp(interval.Lower), range.Clamp(interval.Upper));
        MinCoverage = Math.Min(MinCoverage, interval.Coverage);
        WeakestKind = (ConfidenceKind)Math.Max((int)WeakestKind, (int)attempt.Kind);
        _weight += weight;
        _score += weight * score;
        _confidence += weight * confidence;
        _lower += weight * lower;
        _upper += weight * upper;
        var cw = weight * confidence;
        _cWeight += cw;
        _cScore += cw * score;
        _cConfidence += cw * confidence;
        _cLower += cw * lower;
        _cUpper += cw * upper;
        _eScore += score;
        _eConfidence += confidence;
        _eLower += lower;
        _eUpper += upper;
    }

    /// <summary>The weighted (or confidence-weighted) means of score, confidence and interval; equal weights when all weights are 0.</summary>
    public readonly (double Score, double Confidence, double Lower, double Upper) Average(bool byConfidence)
    {
        if (byConfidence && _cWeight > 0)
        {
            return (_cScore / _cWeight, _cConfidence / _cWeight, _cLower / _cWeight, _cUpper / _cWeight);
        }

        if (_weight > 0)
        {
            return (_score / _weight, _confidence / _weight, _lower / _weight, _upper / _weight);
        }

        return (_eScore / Count, _eConfidence / Count, _eLower / Count, _eUpper / Count);
    }
}
