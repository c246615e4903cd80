using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace QualityPrediction.Internal;

/// <summary>
/// Binds <see cref="QualityPredictionOptions"/> strictly and explains every problem: before binding, the section is
/// checked against the options' shape, so that an unknown key (with the valid keys of its section and a "did you mean"),
/// an enum value that is not one of its names, a TimeSpan or number that does not parse is recorded with its path and
/// value in <see cref="QualityPredictionOptions.BindingProblems"/>, and validation reports them all at once.
/// Lists set in configuration replace the defaults instead of being appended to them.
/// </summary>
internal static class OptionsBinding
{
    public static void Bind(IConfiguration configuration, QualityPredictionOptions options)
    {
        var root = configuration is IConfigurationSection section ? section.Path : QualityPredictionOptions.SectionName;
        var problems = new List<string>();
        Check(configuration, typeof(QualityPredictionOptions), root, problems);
        if (problems.Count > 0)
        {
            options.BindingProblems.AddRange(problems);
            return;
        }

        // The binder appends to existing lists; a list given in configuration replaces the default (and binding twice stays idempotent).
        if (configuration.GetSection(nameof(QualityPredictionOptions.Models)).GetChildren().Any())
        {
            options.Models.Clear();
        }

        var fit = configuration.GetSection($"{nameof(QualityPredictionOptions.Heuristic)}:{nameof(Heuristics.HeuristicOptions.Fit)}");
        if (fit.GetSection(nameof(Heuristics.HeuristicFitOptions.Hierarchy)).GetChildren().Any())
        {
            options.Heuristic.Fit.Hierarchy = [];
        }

        if (fit.GetSection(nameof(Heuristics.HeuristicFitOptions.Factors)).GetChildren().Any())
        {
            options.Heuristic.Fit.Factors = [];
        }

        try
        {
            configuration.Bind(options, static binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            // Anything the checks above did not foresee: still reported through validation, not as a raw binder crash.
            options.BindingProblems.Add($"{root}: {ex.Message}");
        }
    }

    /// <summary>Checks the children of <paramref name="section"/> against the settable properties of <paramref name="type"/>.</summary>
    internal static void Check(IConfiguration section, Type type, string path, List<string> problems)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (p.CanWrite || IsCollection(p.PropertyType) || IsComplex(p.PropertyType)))
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            var where = $"{path}:{child.Key}";
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problems.Add($"{where} is not an option{NameSuggestions.DidYouMean(child.Key, properties.Keys)}; the keys of {path} are {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}.");
                continue;
            }

            CheckValue(child, property.PropertyType, where, problems);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, string path, List<string> problems)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var value = section.Value;
        if (IsDictionary(target, out var valueType))
        {
            foreach (var child in section.GetChildren())
            {
                CheckValue(child, valueType, $"{path}:{child.Key}", problems);
            }

            return;
        }

        if (IsCollection(target))
        {
            var element = ElementType(target);
            foreach (var child in section.GetChildren())
            {
                CheckValue(child, element, $"{path}:{child.Key}", problems);
            }

            return;
        }

        if (IsComplex(target))
        {
            if (value is not null && value.Length > 0)
            {
                problems.Add($"{path} ('{value}') must be a section with keys, not a single value.");
                return;
            }

            Check(section, target, path, problems);
            return;
        }

        if (value is null)
        {
            if (section.GetChildren().Any())
            {
                problems.Add($"{path} must be a single value, not a section.");
            }

            return;
        }

        if (value.Length == 0 && type != target)
        {
            return; // An empty value clears a nullable option.
        }

        if (CheckScalar(value, target) is { } expected)
        {
            problems.Add($"{path} ('{value}') {expected}");
        }
    }

    /// <summary>Returns what a value of <paramref name="type"/> must look like when <paramref name="value"/> does not convert; <see langword="null"/> when it does.</summary>
    private static string? CheckScalar(string value, Type type)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            return names.Any(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase))
                ? null
                : $"must be one of {string.Join(", ", names)}{NameSuggestions.DidYouMean(value, names)}.";
        }

        return type switch
        {
            _ when type == typeof(TimeSpan) => TimeSpan.TryParse(value, invariant, out _) ? null : "is not a TimeSpan: use [d.]hh:mm:ss[.fffffff], for example 00:00:00.250 for 250 ms or 00:00:30 for 30 s.",
            _ when type == typeof(double) => double.TryParse(value, NumberStyles.Float, invariant, out var d) && double.IsFinite(d) ? null : "must be a finite number, such as 0.5.",
            _ when type == typeof(int) => int.TryParse(value, NumberStyles.Integer, invariant, out _) ? null : "must be a whole number.",
            _ when type == typeof(long) => long.TryParse(value, NumberStyles.Integer, invariant, out _) ? null : "must be a whole number.",
            _ when type == typeof(bool) => bool.TryParse(value, out _) ? null : "must be true or false.",
            _ => null,
        };
    }

    private static bool IsComplex(Type type) =>
        type.IsClass && type != typeof(string) && !IsCollection(type) && type.Namespace?.StartsWith("QualityPrediction", StringComparison.Ordinal) == true;

    private static bool IsCollection(Type type) =>
        type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

    private static bool IsDictionary(Type type, out Type valueType)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        valueType = dictionary?.GetGenericArguments()[1] ?? typeof(object);
        return dictionary is not null;
    }

    private static Type ElementType(Type type) =>
        type.IsArray ? type.GetElementType()!
        : (type.IsGenericType ? type : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))?.GetGenericArguments()[0] ?? typeof(string);
}
