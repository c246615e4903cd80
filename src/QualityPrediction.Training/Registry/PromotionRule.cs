using System.Globalization;

namespace QualityPrediction.Training.Registry;

/// <summary>Whether a version may become champion, and why (or why not).</summary>
/// <param name="Promote">Whether it may.</param>
/// <param name="Reason">A sentence that says why, with the numbers.</param>
public sealed record PromotionDecision(bool Promote, string Reason);

/// <summary>
/// The one promotion rule, used by <c>quality train</c>, <c>promote</c> and <c>iterate</c>: a version becomes champion only when
/// it is better than the constant baseline and the fitted heuristic on its own rows (a model worse than those must never serve in
/// their place), and, when there is a champion, better than it beyond noise on the rows both were evaluated on (a paired bootstrap).
/// </summary>
public static class PromotionRule
{
    /// <summary>Decides whether <paramref name="version"/> may become champion.</summary>
    /// <param name="version">The candidate version.</param>
    /// <param name="skill">The candidate's skill (<see cref="ModelSkill.FromManifest"/>); <see langword="null"/> when unknown, which refuses.</param>
    /// <param name="champion">The current champion version, or <see langword="null"/> when there is none.</param>
    /// <param name="comparison">The candidate against the champion on shared rows, or <see langword="null"/> when they share too few.</param>
    /// <returns>The decision.</returns>
    public static PromotionDecision Decide(string version, ModelSkill? skill, string? champion, ComparisonResult? comparison)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (skill is null)
        {
            return new PromotionDecision(false, $"version {version} has no cross-validated metrics beside a baseline, so it cannot be shown to be better than one");
        }

        if (skill.NotBetterThan is { Count: > 0 } worse)
        {
            return new PromotionDecision(false, string.Create(CultureInfo.InvariantCulture,
                $"version {version} (CV MAE {skill.Mae:F4}) is not better than {string.Join(" or ", worse)} on the same rows; a model worse than those must not serve in their place"));
        }

        if (champion is null || champion == version)
        {
            return new PromotionDecision(true, string.Create(CultureInfo.InvariantCulture, $"version {version} (CV MAE {skill.Mae:F4}) beats the baseline and the heuristic, and there is no other champion"));
        }

        if (comparison is null)
        {
            return new PromotionDecision(false, $"version {version} and champion {champion} share fewer than 10 evaluated rows, so they cannot be compared");
        }

        return comparison.BetterBeyondNoise
            ? new PromotionDecision(true, $"version {version} beats champion {champion} beyond noise: {comparison}")
            : new PromotionDecision(false, $"version {version} is not better than champion {champion} beyond noise: {comparison}");
    }
}
