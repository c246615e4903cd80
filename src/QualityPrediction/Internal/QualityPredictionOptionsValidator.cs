using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace QualityPrediction.Internal;

/// <summary>
/// Validates the data annotations of <see cref="QualityPredictionOptions"/> and every nested option (models by index),
/// naming each failure's full option path, its value and what to fix, for example
/// <c>QualityPrediction:Models:0:Weight (-1) must be 0 or more.</c> Cross-field rules live in <see cref="QualityPredictionOptionsCustomValidator"/>.
/// </summary>
internal sealed class QualityPredictionOptionsValidator : IValidateOptions<QualityPredictionOptions>
{
    public ValidateOptionsResult Validate(string? name, QualityPredictionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BindingProblems.Count > 0)
        {
            return ValidateOptionsResult.Skip; // The binding problems are reported by the custom validator; the values are defaults.
        }

        var failures = new List<string>();
        Walk(options, string.IsNullOrEmpty(name) ? QualityPredictionOptions.SectionName : $"{QualityPredictionOptions.SectionName}[{name}]", failures, depth: 0);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Checks the annotated properties of an options object and of the options objects it holds.</summary>
    internal static void Walk(object options, string path, List<string> failures, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            var value = property.GetValue(options);
            var where = $"{path}:{property.Name}";
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (!attribute.IsValid(value))
                {
                    failures.Add($"{where} ({Format(value)}) {Describe(attribute, property.Name)}");
                }
            }

            switch (value)
            {
                case null or string:
                    break;
                case IDictionary dictionary:
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (IsOptions(entry.Value))
                        {
                            Walk(entry.Value!, $"{where}:{entry.Key}", failures, depth + 1);
                        }
                    }

                    break;
                case IEnumerable items:
                    var index = 0;
                    foreach (var item in items)
                    {
                        if (IsOptions(item))
                        {
                            Walk(item!, $"{where}:{index}", failures, depth + 1);
                        }

                        index++;
                    }

                    break;
                default:
                    if (IsOptions(value))
                    {
                        Walk(value, where, failures, depth + 1);
                    }

                    break;
            }
        }
    }

    private static bool IsOptions(object? value) =>
        value is not null && value.GetType() is { IsClass: true } type && type != typeof(string) && type.Namespace?.StartsWith("QualityPrediction", StringComparison.Ordinal) == true;

    private static string Describe(ValidationAttribute attribute, string name)
    {
        if (!string.IsNullOrEmpty(attribute.ErrorMessage))
        {
            return attribute.ErrorMessage.TrimEnd('.') + ".";
        }

        return attribute switch
        {
            RequiredAttribute => "is required.",
            RangeAttribute range => $"must be between {Format(range.Minimum)} and {Format(range.Maximum)}.",
            _ => attribute.FormatErrorMessage(name),
        };
    }

    private static string Format(object? value) => value switch
    {
        null => "not set",
        string text => $"'{text}'",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
