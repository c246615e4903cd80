using System.Buffers;
using System.Globalization;
using QualityPrediction.Internal;

namespace QualityPrediction.Models.Internal;

/// <summary>
/// One live model version: immutable after construction, reference-counted so that a hot swap disposes the
/// engine only after the predictions that leased it have finished.
/// </summary>
internal sealed class LoadedModel
{
    private const int StackSlots = 256;

    private readonly IScoringModel _model;
    private readonly string _memberName;
    private readonly double _min;
    private readonly double _max;

    // The calibration bins as flat arrays (read on every prediction; the manifest's list is behind an interface).
    private readonly double[]? _binUpTo;
    private readonly double[]? _binLower;
    private readonly double[]? _binUpper;
    private readonly double[]? _binWithin;
    private readonly double _coverage;
    private readonly UnknownFeatureGuard? _guard;
    private int _references = 1;

    public LoadedModel(string memberName, string manifestPath, string runtime, ModelManifest manifest, FeatureEncoder encoder, IScoringModel model, DateTimeOffset loadedAt, UnknownFeatureGuard? guard = null)
    {
        _guard = guard;
        _memberName = memberName;
        ManifestPath = manifestPath;
        Runtime = runtime;
        Manifest = manifest;
        Encoder = encoder;
        _model = model;
        LoadedAt = loadedAt;
        _min = manifest.Target.Min;
        _max = manifest.Target.Max;
        if (manifest.Calibration is { Bins.Count: > 0 } calibration)
        {
            var bins = calibration.Bins.ToArray();
            _binUpTo = [.. bins.Select(b => b.UpTo)];
            _binLower = [.. bins.Select(b => b.Lower)];
            _binUpper = [.. bins.Select(b => b.Upper)];
            _binWithin = [.. bins.Select(b => b.WithinTolerance)];
            _coverage = calibration.Coverage;
        }
    }

    public string ManifestPath { get; }

    public string Runtime { get; }

    public ModelManifest Manifest { get; }

    public FeatureEncoder Encoder { get; }

    public DateTimeOffset LoadedAt { get; }

    public string Version => Manifest.Version;

    /// <summary>Gets whether the engine has been disposed (all leases released after retirement).</summary>
    public bool IsDisposed => Volatile.Read(ref _references) == 0;

    /// <summary>Takes a lease; fails when the model has already been retired and drained.</summary>
    public bool TryAcquire()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Returns a lease (or the owner's reference); the last one disposes the engine.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _model.Dispose();
        }
    }

    /// <summary>Scores the all-missing context once, so the first real prediction is warm and a broken engine is caught before going live.</summary>
    public void WarmUp()
    {
        var raw = ScoreOne(new PredictionContext(), CancellationToken.None);
        if (!float.IsFinite(raw))
        {
            throw new ModelLoadException(ManifestPath, string.Create(CultureInfo.InvariantCulture, $"the model's warm-up score is {raw}, not a finite number."), null);
        }
    }

    /// <summary>Gets how many features the manifest lists that a context can supply (crosses are read from their parts).</summary>
    public int FeaturesExpected => Encoder.InputCount;

    /// <summary>
    /// Scores one context without throwing for a context that does not fit: a value of the wrong kind for the live
    /// version's schema (<see cref="ScoreStatus.WrongKind"/>), a context that supplies none of the model's features
    /// (<see cref="ScoreStatus.NoFeatures"/>) and, under <see cref="UnknownFeatureHandling.Throw"/>, an unknown name
    /// (<see cref="ScoreStatus.UnknownFeature"/>) come back with the reason. Engine faults and a non-finite score throw.
    /// </summary>
    public ScoreStatus TryScore(PredictionContext context, CancellationToken cancellationToken, out ModelAnswer answer, out string? reason)
    {
        var length = Encoder.Length;
        float[]? rented = null;
        var buffer = length <= StackSlots ? stackalloc float[StackSlots] : (rented = ArrayPool<float>.Shared.Rent(length));
        try
        {
            var input = buffer[..length];
            var status = Check(context, input, out var report, out reason);
            if (status != ScoreStatus.Ok)
            {
                answer = default;
                return status;
            }

            answer = Answer(_model.Score(input, cancellationToken), report.Supplied);
            return ScoreStatus.Ok;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Scores many contexts in one engine call; <see langword="false"/> (nothing scored) when any row does not fit, so that the caller can go row by row.</summary>
    public bool TryScoreBatch(ReadOnlySpan<PredictionContext> contexts, Span<ModelAnswer> answers, CancellationToken cancellationToken)
    {
        var length = Encoder.Length;
        var features = ArrayPool<float>.Shared.Rent(checked(contexts.Length * length));
        var scores = ArrayPool<float>.Shared.Rent(contexts.Length);
        var supplied = ArrayPool<int>.Shared.Rent(contexts.Length);
        try
        {
            for (var i = 0; i < contexts.Length; i++)
            {
                if (Check(contexts[i], features.AsSpan(i * length, length), out var report, out _) != ScoreStatus.Ok)
                {
                    return false;
                }

                supplied[i] = report.Supplied;
            }

            cancellationToken.ThrowIfCancellationRequested();
            _model.ScoreBatch(features.AsSpan(0, contexts.Length * length), scores.AsSpan(0, contexts.Length), cancellationToken);
            for (var i = 0; i < contexts.Length; i++)
            {
                answers[i] = Answer(scores[i], supplied[i]);
            }

            return true;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
            ArrayPool<float>.Shared.Return(scores);
            ArrayPool<int>.Shared.Return(supplied);
        }
    }

    /// <summary>Builds the result of one answer.</summary>
    public QualityPredictionResult ToResult(in ModelAnswer answer, DateTimeOffset now, Guid id) => new()
    {
        Score = answer.Score,
        Confidence = answer.Confidence,
        ConfidenceKind = answer.Kind,
        Interval = answer.Interval,
        Source = PredictionSource.Model,
        ModelName = _memberName,
        ModelVersion = Version,
        FeaturesSupplied = answer.Supplied,
        FeaturesExpected = FeaturesExpected,
        PredictionId = id,
        Timestamp = now,
    };

    private ScoreStatus Check(PredictionContext context, Span<float> input, out EncodeReport report, out string? reason)
    {
        if (!Encoder.TryEncode(context, input, out report))
        {
            reason = $"Model '{_memberName}' version {Version} cannot score this context: {report.WrongKind}";
            return ScoreStatus.WrongKind;
        }

        if (report.Unknown > 0 && _guard is { } guard && guard.Handling != UnknownFeatureHandling.Ignore)
        {
            if (guard.Handling == UnknownFeatureHandling.Throw)
            {
                reason = guard.Describe(Encoder, context);
                return ScoreStatus.UnknownFeature;
            }

            guard.Warn(Encoder, context, report);
        }

        if (report.Supplied == 0 && FeaturesExpected > 0)
        {
            reason = $"The context supplies none of model '{_memberName}''s {FeaturesExpected} features ({UnknownFeatureGuard.List(Encoder.InputNames)}); it is not scored.";
            return ScoreStatus.NoFeatures;
        }

        reason = null;
        return ScoreStatus.Ok;
    }

    private float ScoreOne(PredictionContext context, CancellationToken cancellationToken)
    {
        Span<float> input = Encoder.Length <= StackSlots ? stackalloc float[Encoder.Length] : new float[Encoder.Length];
        Encoder.Encode(context, input);
        return _model.Score(input, cancellationToken);
    }

    private ModelAnswer Answer(float raw, int supplied)
    {
        if (!float.IsFinite(raw))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Model '{_memberName}' version {Version} produced a non-finite score ({raw})."));
        }

        var score = Math.Clamp((double)raw, _min, _max);
        if (_binUpTo is { } upTo)
        {
            // The first bin whose upper edge is at or above the score; the last bin is open-ended (Calibration.FindBin).
            var bin = 0;
            while (bin < upTo.Length - 1 && score > upTo[bin])
            {
                bin++;
            }

            return new ModelAnswer(
                score,
                _binWithin![bin],
                ConfidenceKind.Calibrated,
                new PredictionInterval(Math.Clamp(score + _binLower![bin], _min, _max), Math.Clamp(score + _binUpper![bin], _min, _max), _coverage),
                supplied);
        }

        return new ModelAnswer(score, 0, ConfidenceKind.None, new PredictionInterval(score, score, 0), supplied);
    }
}
