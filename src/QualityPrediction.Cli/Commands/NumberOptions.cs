using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace QualityPrediction.Cli.Commands;

/// <summary>
/// Numeric options parsed with the invariant culture (System.CommandLine's default parser uses the current culture, so under
/// de-DE <c>--coverage 0.9</c> became 9): a decimal point, never a comma, whatever the machine's language.
/// </summary>
internal static class NumberOptions
{
    /// <summary>Creates an option holding a finite number.</summary>
    public static Option<double> Double(string name, string description, double defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, name, defaultValue, static (string text, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value), "a number (with a decimal point, e.g. 0.9)"),
    };

    /// <summary>Creates an option holding a whole number.</summary>
    public static Option<int> Int32(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, name, defaultValue, static (string text, out int value) =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value), "a whole number"),
    };

    private delegate bool TryParse<T>(string text, out T value);

    private static T Parse<T>(ArgumentResult result, string name, T defaultValue, TryParse<T> parse, string what)
    {
        if (result.Tokens.Count == 0)
        {
            return defaultValue;
        }

        var text = result.Tokens[^1].Value;
        if (parse(text, out var value))
        {
            return value;
        }

        result.AddError($"{name}: '{text}' is not {what}.");
        return defaultValue;
    }
}
