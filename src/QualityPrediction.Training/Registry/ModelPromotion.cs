using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Registry;

/// <summary>
/// The promotion rule, in one place for <c>quality train</c>, <c>promote</c> and <c>iterate</c>: a version becomes the
/// <c>champion</c> when there is none, or when it beats the current champion beyond noise (a paired bootstrap of the
/// MAE difference on the rows both were evaluated on, whose whole 95% interval is below zero), or when forced. Any other
/// alias (e.g. <c>challenger</c>) moves without the rule, with the comparison against the champion kept as evidence.
/// Every decision, refusals included, is recorded in the model's history (who, when, the decision and its evidence).
/// </summary>
public static class ModelPromotion
{
    /// <summary>Decides without changing anything.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version (<c>2</c>, <c>0002</c>, an alias or a run id).</param>
    /// <param name="options">The alias, force and seed; <see langword="null"/>: champion, not forced, seed 1.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">The alias is not a valid alias.</exception>
    /// <exception cref="DirectoryNotFoundException">The model or version does not exist (the message lists those that do).</exception>
    /// <exception cref="RegistryRefusedException">The version is archived or deleted.</exception>
    public static PromotionDecision Decide(string registry, string name, string version, PromotionOptions? options = null)
    {
        options ??= new PromotionOptions();
        ModelRegistry.ValidateAlias(options.Alias);
        var target = ModelRegistry.ResolveVersion(registry, name, version);
        if (target.State != VersionState.Active)
        {
            throw new RegistryRefusedException(name, target.Version, target.State == VersionState.Archived
                ? $"Model '{name}' version {target.Version} is archived; restore it first (`quality registry restore {name} {target.Version}`)."
                : $"Model '{name}' version {target.Version} was deleted; it cannot be promoted.");
        }

        var aliases = ModelRegistry.ReadAliases(registry, name);
        aliases.TryGetValue(options.Alias, out var previous);
        aliases.TryGetValue(ModelRegistry.Champion, out var champion);
        ComparisonResult? comparison = null;
        if (champion is not null && champion != target.Version)
        {
            var candidate = ModelRegistry.ReadPredictions(registry, name, target.Version);
            var baseline = ModelRegistry.ReadPredictions(registry, name, champion);
            comparison = candidate is null || baseline is null ? null : ModelRegistry.Compare(candidate, baseline, options.Seed);
        }

        var v = target.Version;
        var evidence = comparison is null ? "fewer than 10 evaluated rows in common, so not comparable" : comparison.ToString();
        if (options.Alias != ModelRegistry.Champion)
        {
            var against = champion is null ? "no champion to compare with" : champion == v ? "it is also the champion" : $"vs champion {champion}: {evidence}";
            return new(name, v, options.Alias, previous, champion, true, false, comparison, $"{options.Alias} -> {v} ({against})");
        }

        if (champion is null)
        {
            return new(name, v, options.Alias, previous, champion, true, false, null, $"version {v} is the first champion of '{name}'");
        }

        if (champion == v)
        {
            return new(name, v, options.Alias, previous, champion, true, false, null, $"version {v} is already the champion");
        }

        if (comparison is { BetterBeyondNoise: true })
        {
            return new(name, v, options.Alias, previous, champion, true, false, comparison, $"version {v} beats champion {champion} beyond noise: {evidence}");
        }

        var why = comparison is null
            ? $"version {v} and champion {champion} share fewer than 10 evaluated rows, so they cannot be compared"
            : $"version {v} is not better than champion {champion} beyond noise: {evidence}";
        return options.Force
            ? new(name, v, options.Alias, previous, champion, true, true, comparison, $"{why}; promoted anyway (--force)")
            : new(name, v, options.Alias, previous, champion, false, false, comparison, why);
    }

    /// <summary>Decides, moves the alias when the decision says so, and records the decision (a refusal too) in the model's history.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version (<c>2</c>, <c>0002</c>, an alias or a run id).</param>
    /// <param name="options">The alias, force, seed and who; <see langword="null"/>: champion, not forced, seed 1, the current user now.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">The alias is not a valid alias.</exception>
    /// <exception cref="DirectoryNotFoundException">The model or version does not exist (the message lists those that do).</exception>
    /// <exception cref="RegistryRefusedException">The version is archived or deleted.</exception>
    public static PromotionDecision Promote(string registry, string name, string version, PromotionOptions? options = null)
    {
        options ??= new PromotionOptions();
        ModelRegistry.RequireModel(registry, name);
        using var gate = RegistryLock.Acquire(registry, name);
        var decision = Decide(registry, name, version, options);
        if (decision.Promoted && decision.Previous != decision.Version)
        {
            ModelRegistry.SetAliasLocked(registry, name, decision.Alias, decision.Version);
        }

        ModelRegistry.AppendHistoryLocked(
            registry,
            new RegistryHistoryEntry
            {
                Action = decision.Promoted ? RegistryActions.Promote : RegistryActions.PromotionRefused,
                Model = name,
                Version = decision.Version,
                Alias = decision.Alias,
                Previous = decision.Previous,
                Decision = decision.Decision,
                Forced = decision.Forced,
                Evidence = decision.Comparison,
            },
            options.Change ?? RegistryChange.Now());
        return decision;
    }
}
