using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QualityPrediction.Heuristics;
using QualityPrediction.Models;

namespace QualityPrediction.Internal;

/// <summary>Cross-field rules of <see cref="QualityPredictionOptions"/>, with messages naming the option path, its value and the fix.</summary>
internal sealed class QualityPredictionOptionsCustomValidator(IServiceProvider serviceProvider) : IValidateOptions<QualityPredictionOptions>
{
    public ValidateOptionsResult Validate(string? name, QualityPredictionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var p = string.IsNullOrEmpty(name) ? QualityPredictionOptions.SectionName : $"{QualityPredictionOptions.SectionName}[{name}]";
        if (options.BindingProblems.Count > 0)
        {
            // Nothing was bound: the other checks would only describe defaults.
            return ValidateOptionsResult.Fail(options.BindingProblems);
        }

        var failures = new List<string>();
        if (options.MinScore.HasValue != options.MaxScore.HasValue)
        {
            failures.Add($"{p}:{(options.MinScore.HasValue ? "MinScore" : "MaxScore")} is set but {p}:{(options.MinScore.HasValue ? "MaxScore" : "MinScore")} is not: set both, or neither to take the range from the first model's manifest.");
        }
        else if (options.MinScore is { } min && options.MaxScore is { } max && (!double.IsFinite(min) || !double.IsFinite(max) || min >= max))
        {
            failures.Add($"{p}:MinScore ({F(min)}) must be a finite number below {p}:MaxScore ({F(max)}).");
        }

        ValidateEnsemble(options, p, failures);
        ValidateHeuristic(options, p, failures);
        ValidateModels(options, p, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateEnsemble(QualityPredictionOptions options, string p, List<string> failures)
    {
        if (options.Ensemble is null)
        {
            failures.Add($"{p}:Ensemble must not be null.");
            return;
        }

        if (options.Ensemble.CircuitBreaker is null)
        {
            failures.Add($"{p}:Ensemble:CircuitBreaker must not be null.");
        }

        if (options.Ensemble.DefaultScore is { } score && KnownRange(options) is { } range && (!double.IsFinite(score) || score < range.Min || score > range.Max))
        {
            failures.Add($"{p}:Ensemble:DefaultScore ({F(score)}) must lie within [{p}:MinScore, {p}:MaxScore] = [{F(range.Min)}, {F(range.Max)}]; remove it to use the middle of the range.");
        }

        var breaker = options.Ensemble.CircuitBreaker;
        if (breaker is { Enabled: true } && options.Models is { Count: > 0 } && breaker.SamplingDuration < 2 * options.Ensemble.MemberTimeout)
        {
            failures.Add($"{p}:Ensemble:CircuitBreaker:SamplingDuration ({breaker.SamplingDuration}) must be at least twice {p}:Ensemble:MemberTimeout ({options.Ensemble.MemberTimeout}), or the breaker cannot count a timed-out call before its window ends.");
        }
    }

    private void ValidateHeuristic(QualityPredictionOptions options, string p, List<string> failures)
    {
        var heuristic = options.Heuristic;
        if (heuristic is null)
        {
            failures.Add($"{p}:Heuristic must not be null.");
            return;
        }

        switch (heuristic.Mode)
        {
            case HeuristicMode.Rules:
                var rules = heuristic.Rules;
                if (rules is null)
                {
                    failures.Add($"{p}:Heuristic:Rules must not be null when {p}:Heuristic:Mode is Rules.");
                    break;
                }

                if (rules.BaseScore is { } baseScore && KnownRange(options) is { } known && (baseScore < known.Min || baseScore > known.Max))
                {
                    failures.Add($"{p}:Heuristic:Rules:BaseScore ({F(baseScore)}) must lie within the score range [{F(known.Min)}, {F(known.Max)}]; remove it to use 70 % of the range.");
                }

                break;

            case HeuristicMode.Fitted:
                var hasModel = !string.IsNullOrWhiteSpace(heuristic.ModelPath);
                var hasOutcomes = !string.IsNullOrWhiteSpace(heuristic.OutcomesPath);
                if (!hasModel && !hasOutcomes)
                {
                    failures.Add($"{p}:Heuristic:Mode is Fitted, so set {p}:Heuristic:ModelPath (a fitted heuristic saved as JSON) or {p}:Heuristic:OutcomesPath (JSON lines of outcomes to fit at start).");
                }

                if (hasModel)
                {
                    RequireFile(heuristic.ModelPath!, $"{p}:Heuristic:ModelPath", failures);
                }
                else if (hasOutcomes)
                {
                    RequireFile(heuristic.OutcomesPath!, $"{p}:Heuristic:OutcomesPath", failures);
                    ValidateFit(heuristic.Fit, $"{p}:Heuristic:Fit", failures);
                }

                break;

            case HeuristicMode.None:
                break;

            default:
                failures.Add($"{p}:Heuristic:Mode ({heuristic.Mode}) must be Rules, Fitted or None.");
                break;
        }
    }

    private static void ValidateFit(HeuristicFitOptions? fit, string p, List<string> failures)
    {
        if (fit is null)
        {
            failures.Add($"{p} must not be null.");
            return;
        }

        if (string.IsNullOrWhiteSpace(fit.Target))
        {
            failures.Add($"{p}:Target must name the outcome column (e.g. \"quality\").");
        }

        if (!(fit.Coverage is > 0 and < 1))
        {
            failures.Add($"{p}:Coverage ({F(fit.Coverage)}) must be between 0 and 1 (exclusive), e.g. 0.9.");
        }

        if (!double.IsFinite(fit.Shrinkage) || fit.Shrinkage < 0)
        {
            failures.Add($"{p}:Shrinkage ({F(fit.Shrinkage)}) must be a finite number ≥ 0.");
        }

        if (fit.MinRowsForResiduals < 1)
        {
            failures.Add($"{p}:MinRowsForResiduals ({fit.MinRowsForResiduals}) must be at least 1.");
        }

        if (fit.Hierarchy is null || fit.Hierarchy.Any(string.IsNullOrWhiteSpace) || fit.Hierarchy.Distinct(StringComparer.Ordinal).Count() != fit.Hierarchy.Count)
        {
            failures.Add($"{p}:Hierarchy ([{string.Join(", ", fit.Hierarchy ?? [])}]) must list distinct, non-empty feature names.");
        }

        if (fit.Factors is null || fit.Factors.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{p}:Factors must list non-empty feature names.");
        }
        else if (fit.Hierarchy is not null && fit.Factors.FirstOrDefault(f => fit.Hierarchy.Contains(f, StringComparer.Ordinal)) is { } both)
        {
            failures.Add($"{p}:Factors lists '{both}', which is also in {p}:Hierarchy; use each feature in one place only.");
        }
    }

    private void ValidateModels(QualityPredictionOptions options, string p, List<string> failures)
    {
        if (options.Models is null)
        {
            failures.Add($"{p}:Models must not be null (use an empty list for none).");
            return;
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var mp = $"{p}:Models:{i}";
            if (model is null)
            {
                failures.Add($"{mp} must not be null.");
                continue;
            }

            if (!string.IsNullOrWhiteSpace(model.Name) && !names.Add(model.Name))
            {
                failures.Add($"{mp}:Name ('{model.Name}') is already used by another entry of {p}:Models; names must be unique.");
            }

        }

        if (options.Models.Count > 0 && !FactoryRegistered())
        {
            failures.Add(
                $"{p}:Models lists {options.Models.Count} model(s) but no model runtime is registered: reference the QualityPrediction.Onnx or QualityPrediction.MLNet package " +
                "and call AddOnnxModel(...) or AddMLNetModel(...) on the builder returned by AddQualityPrediction(...), or remove the Models entries.");
        }
    }

    private bool FactoryRegistered() =>
        serviceProvider.GetService<IServiceProviderIsService>() is { } isService
            ? isService.IsService(typeof(IModelRuntime))
            : serviceProvider.GetServices<IModelRuntime>().Any();

    private void RequireFile(string path, string option, List<string> failures)
    {
        var resolved = Paths.Resolve(path, serviceProvider);
        if (!File.Exists(resolved))
        {
            failures.Add($"{option} ('{path}'): the file '{resolved}' does not exist. {Paths.Explain(serviceProvider)}");
        }
    }

    /// <summary>The range known before any model is read: the options' own, or the default when there are no models (otherwise it comes from a manifest, checked when the predictor is built).</summary>
    private static ScoreRange? KnownRange(QualityPredictionOptions options) =>
        options.MinScore is { } min && options.MaxScore is { } max && min < max ? new ScoreRange(min, max)
        : options.MinScore is null && options.MaxScore is null && options.Models is not { Count: > 0 } ? QualityPredictionOptions.DefaultRange
        : null;

    private static string F(double value) => value.ToString(CultureInfo.InvariantCulture);
}
