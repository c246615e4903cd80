using System.Globalization;
using System.Text.Json;
using QualityPrediction.Models;

namespace QualityPrediction.Training.Registry;

/// <summary>A model's cross-validated MAE beside the constant baseline's and the fitted heuristic's, measured on the same rows and folds.</summary>
/// <param name="Mae">The model's nested cross-validated MAE.</param>
/// <param name="BaselineMae">The constant (training-fold mean) baseline's MAE.</param>
/// <param name="HeuristicMae">The fitted heuristic's MAE, when it could be fitted.</param>
public sealed record ModelSkill(double Mae, double BaselineMae, double? HeuristicMae)
{
    /// <summary>Gets what the model is not better than, e.g. <c>the fitted heuristic (MAE 5.8762)</c>; empty when it beats both.</summary>
    public IReadOnlyList<string> NotBetterThan
    {
        get
        {
            var worse = new List<string>();
            if (!(Mae < BaselineMae))
            {
                worse.Add(string.Create(CultureInfo.InvariantCulture, $"the constant baseline (MAE {BaselineMae:F4})"));
            }

            if (HeuristicMae is { } heuristic && !(Mae < heuristic))
            {
                worse.Add(string.Create(CultureInfo.InvariantCulture, $"the fitted heuristic (MAE {heuristic:F4})"));
            }

            return worse;
        }
    }

    /// <summary>Reads the skill from a manifest's metrics (<c>cv</c>, <c>baseline</c>, <c>heuristic</c>, as training writes them).</summary>
    /// <param name="manifest">The manifest.</param>
    /// <returns>The skill, or <see langword="null"/> when the manifest holds no such metrics.</returns>
    public static ModelSkill? FromManifest(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Metrics is not { ValueKind: JsonValueKind.Object } metrics
            || ReadMae(metrics, "cv") is not { } mae
            || ReadMae(metrics, "baseline") is not { } baseline)
        {
            return null;
        }

        return new ModelSkill(mae, baseline, ReadMae(metrics, "heuristic"));
    }

    private static double? ReadMae(JsonElement metrics, string name) =>
        metrics.TryGetProperty(name, out var part) && part.ValueKind == JsonValueKind.Object && part.TryGetProperty("mae", out var mae) && mae.TryGetDouble(out var value)
            ? value
            : null;
}
