using System.Globalization;

namespace QualityPrediction.Reliability.Tests.TestSupport;

/// <summary>
/// Run lengths. The default run is short (CI runs the whole suite in one go); set <c>QUALITY_RELIABILITY_LONG=1</c>
/// for the long variants (30 s of load with 100+ swaps, 100k logged predictions, more fuzz cases).
/// </summary>
internal static class Settings
{
    public const string LongVariable = "QUALITY_RELIABILITY_LONG";

    public static bool Long { get; } = Environment.GetEnvironmentVariable(LongVariable) is "1" or "true" or "TRUE" or "True";

    public static TimeSpan SwapLoadDuration => Long ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(5);

    public static int MinimumSwaps => Long ? 100 : 20;

    public static int PredictionThreads => 8;

    public static int FuzzCases => Long ? 20_000 : 1_000;

    public static int PostgreSqlRecords => Long ? 100_000 : 20_000;

    public static int EmbeddedRecords => Long ? 100_000 : 20_000;

    /// <summary>Writes a figure for docs/reliability.md to the test output (visible with <c>--logger "console;verbosity=detailed"</c>).</summary>
    public static void Report(string test, string figures) =>
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[reliability] {test}: {figures} (long={Long})"));
}
