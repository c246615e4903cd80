namespace QualityPrediction.Training.Registry;

/// <summary>Options of <see cref="ModelPromotion.Promote"/>.</summary>
public sealed class PromotionOptions
{
    /// <summary>Gets or sets the alias to move.</summary>
    /// <value>The default is <see cref="ModelRegistry.Champion"/>.</value>
    public string Alias { get; set; } = ModelRegistry.Champion;

    /// <summary>Gets or sets whether to move <c>champion</c> even when the version does not beat it beyond noise.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Force { get; set; }

    /// <summary>Gets or sets the seed of the paired bootstrap.</summary>
    /// <value>The default is 1.</value>
    public int Seed { get; set; } = 1;

    /// <summary>Gets or sets the version's skill (its CV MAE beside the baseline's and the heuristic's) when the caller has it; <see langword="null"/>: read from the version's manifest.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public ModelSkill? Skill { get; set; }

    /// <summary>Gets or sets who promotes, when and why (recorded in the history); <see langword="null"/>: the current user, now.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public RegistryChange? Change { get; set; }
}
