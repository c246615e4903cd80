namespace QualityPrediction.Training.Registry;

/// <summary>The values of <see cref="RegistryHistoryEntry.Action"/>.</summary>
public static class RegistryActions
{
    /// <summary>An alias was pointed at a version by a promotion (the rule was applied and passed, or was forced).</summary>
    public const string Promote = "promote";

    /// <summary>A promotion was refused by the rule; the alias did not move.</summary>
    public const string PromotionRefused = "promotion-refused";

    /// <summary>An alias was removed.</summary>
    public const string UnsetAlias = "unset-alias";

    /// <summary>A version was archived.</summary>
    public const string Archive = "archive";

    /// <summary>An archived version was restored.</summary>
    public const string Restore = "restore";

    /// <summary>A version's files were deleted.</summary>
    public const string Delete = "delete";

    /// <summary>Tags were set or removed.</summary>
    public const string Tag = "tag";

    /// <summary>The description was set.</summary>
    public const string Describe = "describe";
}
