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
        var failures = new List<string>();

        if (!double.IsFinite(options.MinScore) || !double.IsFinite(options.MaxScore) || options.MinScore >= options.MaxScore)
        {
            failures.Add($"{p}:MinScore ({F(options.MinScore)}) must be a finite number below {p}:MaxScore ({F(options.MaxScore)}).");
        }

        if (!double.IsFinite(options.Tolerance) || options.Tolerance <= 0)
        {
            failures.Add($"{p}:Tolerance ({F(options.Tolerance)}) must be a positive number (the error that confidence refers to, e.g. 5 on a 0-100 scale).");
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

        if (options.Ensemble.DefaultScore is { } score && (!double.IsFinite(score) || score < options.MinScore || score > options.MaxScore))
        {
            failures.Add($"{p}:Ensemble:DefaultScore ({F(score)}) must lie within [{p}:MinScore, {p}:MaxScore] = [{F(options.MinScore)}, {F(options.MaxScore)}]; remove it to use the middle of the range.");
        }
    }

    private static void ValidateHeuristic(QualityPredictionOptions options, string p, List<string> failures)
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

                if (!(rules.Confidence is >= 0 and <= 1))
                {
                    failures.Add($"{p}:Heuristic:Rules:Confidence ({F(rules.Confidence)}) must be within [0, 1].");
                }

                if (!double.IsFinite(rules.IntervalHalfWidth) || rules.IntervalHalfWidth < 0)
                {
                    failures.Add($"{p}:Heuristic:Rules:IntervalHalfWidth ({F(rules.IntervalHalfWidth)}) must be a finite number ≥ 0.");
                }

                if (!double.IsFinite(rules.BaseScore))
                {
                    failures.Add($"{p}:Heuristic:Rules:BaseScore ({F(rules.BaseScore)}) must be a finite number.");
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

            if (string.IsNullOrWhiteSpace(model.Name))
            {
                failures.Add($"{mp}:Name is required: give the model member a unique name.");
            }
            else if (!names.Add(model.Name))
            {
                failures.Add($"{mp}:Name ('{model.Name}') is already used by another entry of {p}:Models; names must be unique.");
            }

            if (string.IsNullOrWhiteSpace(model.Path))
            {
                failures.Add($"{mp}:Path is required: the manifest (NAME.model.json) or a registry reference (DIR/NAME@alias).");
            }

            if (!double.IsFinite(model.Weight) || model.Weight < 0)
            {
                failures.Add($"{mp}:Weight ({F(model.Weight)}) must be a finite number ≥ 0.");
            }

            if (model.MaxArtifactBytes < 1)
            {
                failures.Add($"{mp}:MaxArtifactBytes ({model.MaxArtifactBytes}) must be at least 1.");
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
            ? isService.IsService(typeof(IModelPredictorFactory))
            : serviceProvider.GetService<IModelPredictorFactory>() is not null;

    private static void RequireFile(string path, string option, List<string> failures)
    {
        var resolved = Paths.Resolve(path);
        if (!File.Exists(resolved))
        {
            failures.Add($"{option} ('{path}'): the file '{resolved}' does not exist. Relative paths are relative to the application's base directory ({AppContext.BaseDirectory}).");
        }
    }

    private static string F(double value) => value.ToString(CultureInfo.InvariantCulture);
}
