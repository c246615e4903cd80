namespace QualityPrediction.Models.Internal;

/// <summary>Whether a model scored a context, and if not why (see <see cref="LoadedModel.TryScore"/>).</summary>
internal enum ScoreStatus
{
    /// <summary>Scored.</summary>
    Ok,

    /// <summary>The context supplies none of the model's features: the model declines (the next member answers).</summary>
    NoFeatures,

    /// <summary>A value is of another kind than the live version's schema says: the model declines (its schema is the model's fault, not the caller's).</summary>
    WrongKind,

    /// <summary>A name the model does not know, under <see cref="UnknownFeatureHandling.Throw"/>: the caller's error.</summary>
    UnknownFeature,
}
