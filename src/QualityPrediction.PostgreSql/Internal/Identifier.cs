using System.Text.RegularExpressions;

namespace QualityPrediction.PostgreSql.Internal;

/// <summary>Checks SQL identifiers that are spliced into statements (schema, table and column names): plain, unquoted, lowercase or dotted.</summary>
internal static partial class Identifier
{
    public static void ThrowIfInvalid(string name, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameter);
        if (!Plain().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain SQL identifier (letters, digits and underscores, starting with a letter or underscore, at most 63 characters).", parameter);
        }
    }

    public static void ThrowIfInvalidQualified(string name, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameter);
        foreach (var part in name.Split('.'))
        {
            ThrowIfInvalid(part, parameter);
        }
    }

    /// <summary>Quotes any column name of a result (a double quote inside is doubled).</summary>
    public static string QuoteAny(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Quotes a plain identifier (or each part of a dotted one).</summary>
    public static string Quote(string name) => string.Join('.', name.Split('.').Select(p => $"\"{p}\""));

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex Plain();
}
