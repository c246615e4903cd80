namespace QualityPrediction.Training.Registry;

/// <summary>
/// What people say about a version, kept in <c>versions/NNNN/version.json</c> beside its artifacts: a description,
/// tags, and whether (and by whom) it was archived or deleted.
/// </summary>
public sealed class VersionMetadata
{
    /// <summary>The file name.</summary>
    public const string FileName = "version.json";

    /// <summary>Gets or sets a free-text description.</summary>
    public string? Description { get; set; }

    /// <summary>Gets or sets the tags (key → value), sorted by key.</summary>
    public IDictionary<string, string> Tags { get; set; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets when and by whom the version was archived; <see langword="null"/> when it is not archived.</summary>
    public RegistryChange? Archived { get; set; }

    /// <summary>Gets or sets when and by whom the version was deleted; <see langword="null"/> when it is not deleted.</summary>
    public RegistryChange? Deleted { get; set; }

    /// <summary>Gets the state the metadata gives the version.</summary>
    public VersionState State => Deleted is not null ? VersionState.Deleted : Archived is not null ? VersionState.Archived : VersionState.Active;
}
