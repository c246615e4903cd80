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
    private int _references = 1;

    public LoadedModel(string memberName, string manifestPath, string runtime, ModelManifest manifest, FeatureEncoder encoder, IScoringModel model, DateTimeOffset loadedAt)
    {
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

    public QualityPredictionResult Predict(PredictionContext context, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var raw = ScoreOne(context, cancellationToken);
        var now = timeProvider.GetUtcNow();
        return CreateResult(raw, now, PredictionIds.Next(now));
    }

    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var length = Encoder.Length;
        var features = ArrayPool<float>.Shared.Rent(checked(contexts.Length * length));
        var scores = ArrayPool<float>.Shared.Rent(contexts.Length);
        try
        {
            var input = features.AsSpan(0, contexts.Length * length);
            Encoder.EncodeBatch(contexts, input);
            cancellationToken.ThrowIfCancellationRequested();
            _model.ScoreBatch(input, scores.AsSpan(0, contexts.Length), cancellationToken);
            var now = timeProvider.GetUtcNow();
            var ids = PredictionIds.Reserve(now, contexts.Length);
            for (var i = 0; i < contexts.Length; i++)
            {
                results[i] = CreateResult(scores[i], now, ids.Next());
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    private float ScoreOne(PredictionContext context, CancellationToken cancellationToken)
    {
        var length = Encoder.Length;
        float[]? rented = null;
        var buffer = length <= StackSlots ? stackalloc float[StackSlots] : (rented = ArrayPool<float>.Shared.Rent(length));
        try
        {
            var input = buffer[..length];
            Encoder.Encode(context, input);
            return _model.Score(input, cancellationToken);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    private QualityPredictionResult CreateResult(float raw, DateTimeOffset now, Guid id)
    {
        if (!float.IsFinite(raw))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Model '{_memberName}' version {Version} produced a non-finite score ({raw})."));
        }

        var score = Math.Clamp((double)raw, _min, _max);
        double confidence;
        ConfidenceKind kind;
        PredictionInterval interval;
        if (_binUpTo is { } upTo)
        {
            // The first bin whose upper edge is at or above the score; the last bin is open-ended (Calibration.FindBin).
            var bin = 0;
            while (bin < upTo.Length - 1 && score > upTo[bin])
            {
                bin++;
            }

            confidence = _binWithin![bin];
            kind = ConfidenceKind.Calibrated;
            interval = new PredictionInterval(Math.Clamp(score + _binLower![bin], _min, _max), Math.Clamp(score + _binUpper![bin], _min, _max), _coverage);
        }
        else
        {
            confidence = 0;
            kind = ConfidenceKind.None;
            interval = new PredictionInterval(score, score, 0);
        }

        return new QualityPredictionResult
        {
            Score = score,
            Confidence = confidence,
            ConfidenceKind = kind,
            Interval = interval,
            Source = PredictionSource.Model,
            ModelName = _memberName,
            ModelVersion = Version,
            PredictionId = id,
            Timestamp = now,
        };
    }
}
