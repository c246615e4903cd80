using System.Text.Json.Serialization;

namespace QualityPrediction.Training.Registry;

/// <summary>
/// One change to a model in a registry, kept in <c>NAME/history/</c> (one file per change, never rewritten): who made it,
/// when, what, the decision and its evidence. Promotions (moving <c>champion</c>) are the entries whose
/// <see cref="Action"/> is <see cref="RegistryActions.Promote"/> or <see cref="RegistryActions.PromotionRefused"/>.
/// </summary>
public sealed class RegistryHistoryEntry
{
    /// <summary>Gets or sets when.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>Gets or sets who (by default <c>user@host</c>).</summary>
    public string By { get; set; } = "";

    /// <summary>Gets or sets what: one of <see cref="RegistryActions"/>.</summary>
    public string Action { get; set; } = "";

    /// <summary>Gets or sets the model name.</summary>
    public string Model { get; set; } = "";

    /// <summary>Gets or sets the version acted on, when there is one.</summary>
    public string? Version { get; set; }

    /// <summary>Gets or sets the alias moved or removed, when there is one.</summary>
    public string? Alias { get; set; }

    /// <summary>Gets or sets the version the alias pointed at before.</summary>
    public string? Previous { get; set; }

    /// <summary>Gets or sets the decision in one sentence, e.g. why a promotion was refused.</summary>
    public string? Decision { get; set; }

    /// <summary>Gets or sets whether <c>--force</c> overrode the rule.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Forced { get; set; }

    /// <summary>Gets or sets why, when the person said so.</summary>
    public string? Reason { get; set; }

    /// <summary>Gets or sets the evidence of a promotion decision: the paired comparison of the version with the alias's previous version on the rows both were evaluated on.</summary>
    public ComparisonResult? Evidence { get; set; }

    /// <summary>Gets or sets the aliases that a delete or archive removed.</summary>
    public IList<string>? RemovedAliases { get; set; }

    /// <summary>Gets or sets the tags set (a <see langword="null"/> value: removed).</summary>
    public IDictionary<string, string?>? Tags { get; set; }
}
