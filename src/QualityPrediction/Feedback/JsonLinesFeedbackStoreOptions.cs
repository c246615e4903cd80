using System.ComponentModel.DataAnnotations;

namespace QualityPrediction.Feedback;

/// <summary>Options of the embedded <see cref="JsonLinesFeedbackStore"/>.</summary>
public sealed class JsonLinesFeedbackStoreOptions
{
    /// <summary>Gets or sets the folder holding the <c>predictions-…jsonl</c> and <c>outcomes-…jsonl</c> files; created when missing.</summary>
    /// <value>Required; no default.</value>
    [Required]
    public string Folder { get; set; } = "";

    /// <summary>Gets or sets the size at which a file is closed and the next one started.</summary>
    /// <value>The default is 64 MiB.</value>
    [Range(1024, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets, optionally, the age (since its last write) after which a closed file is deleted, once every dataset collecting from the folder has collected it.</summary>
    /// <value>The default, <see langword="null"/>, keeps files regardless of age.</value>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>Gets or sets, optionally, the total size of the files above which the oldest closed files are deleted, once every dataset collecting from the folder has collected them.</summary>
    /// <value>The default, <see langword="null"/>, sets no limit.</value>
    [Range(1024, long.MaxValue)]
    public long? MaxTotalBytes { get; set; }
}
