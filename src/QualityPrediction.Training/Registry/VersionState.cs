namespace QualityPrediction.Training.Registry;

/// <summary>The lifecycle state of a registry version.</summary>
public enum VersionState
{
    /// <summary>The version can be loaded and promoted.</summary>
    Active,

    /// <summary>The version is kept (it can still be loaded by number) but hidden from listings and cannot be promoted until restored.</summary>
    Archived,

    /// <summary>The version's files are gone; its folder stays with its metadata so that its number is never reused.</summary>
    Deleted,
}
