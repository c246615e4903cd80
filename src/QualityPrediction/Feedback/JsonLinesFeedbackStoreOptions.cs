using System.ComponentModel.DataAnnotations;

namespace QualityPrediction.Feedback;

/// <summary>Options of the embedded <see cref="JsonLinesFeedbackStore"/>.</summary>
public sealed class JsonLinesFeedbackStoreOptions
{
    /// <summary>Gets or sets the folder holding the <c>predictions-NNNNNN.jsonl</c> and <c>outcomes-NNNNNN.jsonl</c> files; created when missing.</summary>
    /// <value>Required; no default.</value>
    [Required]
    public string Folder { get; set; } = "";

    /// <summary>Gets or sets the size at which a file is closed and the next one started.</summary>
    /// <value>The default is 64 MiB.</value>
    [Range(1024, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;
}
