using QualityPrediction.Models.Internal;

namespace QualityPrediction.Ensemble.Internal;

/// <summary>One member's part in one prediction: its status and reason, and its answer (a catalog model's score, or another predictor's result).</summary>
internal readonly struct Attempt
{
    private Attempt(MemberStatus status, string? reason, bool ran, QualityPredictionResult? result, LoadedModel? model, in ModelAnswer answer)
    {
        Status = status;
        Reason = reason;
        Ran = ran;
        Result = result;
        Model = model;
        Answer = answer;
    }

    public static Attempt NotRun => new(MemberStatus.Skipped, null, ran: false, null, null, default);

    public MemberStatus Status { get; }

    public string? Reason { get; }

    /// <summary>Gets whether the member was called (a chain skips the members after the one that answered).</summary>
    public bool Ran { get; }

    /// <summary>Gets the answer of a predictor member; <see langword="null"/> for a catalog model.</summary>
    public QualityPredictionResult? Result { get; }

    /// <summary>Gets the version that answered, for a catalog model member.</summary>
    public LoadedModel? Model { get; }

    public ModelAnswer Answer { get; }

    public bool IsOk => Status == MemberStatus.Ok;

    public double Score => Model is not null ? Answer.Score : Result!.Score;

    public double Confidence => Model is not null ? Answer.Confidence : Result!.Confidence;

    public PredictionInterval Interval => Model is not null ? Answer.Interval : Result!.Interval;

    public ConfidenceKind Kind => Model is not null ? Answer.Kind : Result!.ConfidenceKind;

    public string? Version => Model is not null ? Model.Version : Result?.ModelVersion;

    public static Attempt Ok(QualityPredictionResult result) => new(MemberStatus.Ok, null, ran: true, result, null, default);

    public static Attempt Ok(LoadedModel model, in ModelAnswer answer) => new(MemberStatus.Ok, null, ran: true, null, model, answer);

    public static Attempt Not(MemberStatus status, string reason) => new(status, reason, ran: true, null, null, default);
}
