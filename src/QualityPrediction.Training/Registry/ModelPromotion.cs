using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Registry;

/// <summary>
/// Moving an alias in a registry, with the one promotion rule (<see cref="PromotionRule"/>: a new champion must beat the
/// constant baseline and the fitted heuristic on its own rows, and the current champion beyond noise on the rows both were
/// evaluated on) for <c>quality train</c>, <c>promote</c> and <c>iterate</c> alike. Any other alias (e.g. <c>challenger</c>)
/// moves without the rule, with the comparison against the champion kept as evidence. Every decision, refusals included,
/// is recorded in the model's history (who, when, the decision and its evidence).
/// </summary>
public static class ModelPromotion
{
    /// <summary>Decides without changing anything.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version (<c>2</c>, <c>0002</c>, an alias or a run id).</param>
    /// <param name="options">The alias, force, seed and skill; <see langword="null"/>: champion, not forced, seed 1, the skill from the manifest.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">The alias is not a valid alias.</exception>
    /// <exception cref="DirectoryNotFoundException">The model or version does not exist (the message lists those that do).</exception>
    /// <exception cref="RegistryRefusedException">The version is archived or deleted.</exception>
    public static PromotionOutcome Decide(string registry, string name, string version, PromotionOptions? options = null)
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
        if (options.Alias != ModelRegistry.Champion)
        {
            var against = champion is null ? "no champion to compare with"
                : champion == v ? "it is also the champion"
                : $"vs champion {champion}: {(comparison is null ? "fewer than 10 evaluated rows in common, so not comparable" : comparison.ToString())}";
            return new(name, v, options.Alias, previous, champion, true, false, comparison, $"{options.Alias} -> {v} ({against})");
        }

        if (champion == v)
        {
            return new(name, v, options.Alias, previous, champion, true, false, null, $"version {v} is already the champion");
        }

        var rule = PromotionRule.Decide(v, options.Skill ?? ReadSkill(target), champion, comparison);
        return rule.Promote || !options.Force
            ? new(name, v, options.Alias, previous, champion, rule.Promote, false, comparison, rule.Reason)
            : new(name, v, options.Alias, previous, champion, true, true, comparison, $"{rule.Reason}; promoted anyway (--force)");
    }

    /// <summary>Decides, moves the alias when the decision says so, and records the decision (a refusal too) in the model's history.</summary>
    /// <param name="registry">The registry folder.</param>
    /// <param name="name">The model name.</param>
    /// <param name="version">The version (<c>2</c>, <c>0002</c>, an alias or a run id).</param>
    /// <param name="options">The alias, force, seed, skill and who; <see langword="null"/>: champion, not forced, seed 1, the skill from the manifest, the current user now.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">The alias is not a valid alias.</exception>
    /// <exception cref="DirectoryNotFoundException">The model or version does not exist (the message lists those that do).</exception>
    /// <exception cref="RegistryRefusedException">The version is archived or deleted.</exception>
    public static PromotionOutcome Promote(string registry, string name, string version, PromotionOptions? options = null)
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

    /// <summary>The skill in the version's manifest; <see langword="null"/> (which the rule refuses) when it cannot be read.</summary>
    private static ModelSkill? ReadSkill(RegistryVersion version)
    {
        try
        {
            return ModelSkill.FromManifest(QualityPrediction.Models.ModelManifest.Load(version.ManifestPath));
        }
        catch (Exception ex) when (ex is QualityPrediction.Models.ModelFormatException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
