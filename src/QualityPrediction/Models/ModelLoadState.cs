namespace QualityPrediction.Models;

/// <summary>Whether a configured model has a version live.</summary>
public enum ModelLoadState
{
    /// <summary>No load has completed yet (the first load is still running).</summary>
    NotLoaded,

    /// <summary>A version is live and the last load succeeded.</summary>
    Loaded,

    /// <summary>A version is live, but the last reload failed; the previous version keeps serving (health: degraded).</summary>
    Degraded,

    /// <summary>No version is live: the last load failed and there was nothing to keep (the model's members report <c>NotLoaded</c>).</summary>
    Failed,
}
