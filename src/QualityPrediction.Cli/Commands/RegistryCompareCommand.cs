using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using QualityPrediction.Models;
using QualityPrediction.Training.Registry;

namespace QualityPrediction.Cli.Commands;

/// <summary>
/// <c>quality registry compare NAME A B</c>: two versions (or the runs that made them) side by side: aliases, trainer
/// and its parameters, the run's options, data, every metric of the manifest, tags; then B against A on the rows both
/// were evaluated on (the paired bootstrap the promotion rule uses).
/// </summary>
internal static class RegistryCompareCommand
{
    public static Command Create()
    {
        var registry = RegistryOptions.Registry();
        var name = RegistryOptions.Name();
        var a = new Argument<string>("A") { Description = "The first version: 2 or 0002, an alias such as champion, or a run id." };
        var b = new Argument<string>("B") { Description = "The second version, the same way." };
        var seed = new Option<int>("--seed") { Description = "The bootstrap seed.", DefaultValueFactory = _ => 1 };
        var json = RegistryOptions.Json();
        var command = new Command("compare", "Two versions side by side (trainer, parameters, data, metrics, tags) and B against A on the rows both were evaluated on.")
        {
            name, a, b, registry, seed, json,
        };
        command.SetAction((parse, cancellationToken) => CliHelpers.Guard(parse, cancellationToken, async _ =>
        {
            var dir = parse.GetValue(registry)!;
            var model = parse.GetValue(name)!;
            var left = Side.Read(dir, model, ModelRegistry.ResolveVersion(dir, model, parse.GetValue(a)!));
            var right = Side.Read(dir, model, ModelRegistry.ResolveVersion(dir, model, parse.GetValue(b)!));
            var leftPredictions = left.Version.State == VersionState.Deleted ? null : ModelRegistry.ReadPredictions(dir, model, left.Version.Version);
            var rightPredictions = right.Version.State == VersionState.Deleted ? null : ModelRegistry.ReadPredictions(dir, model, right.Version.Version);
            var paired = leftPredictions is null || rightPredictions is null ? null : ModelRegistry.Compare(rightPredictions, leftPredictions, parse.GetValue(seed));
            var rows = Rows(left, right);
            var stdout = CliHelpers.Out(parse);
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(
                    new
                    {
                        model,
                        a = left.Version.Version,
                        b = right.Version.Version,
                        rows = rows.Select(r => new { field = r.Field, a = r.A, b = r.B, differs = r.A != r.B }),
                        paired = paired is null ? null : new { rows = paired.Rows, maeA = paired.BaselineMae, maeB = paired.CandidateMae, difference = paired.Difference, lower = paired.Lower, upper = paired.Upper, probabilityBBetter = paired.ProbabilityBetter, bBetterBeyondNoise = paired.BetterBeyondNoise, bWorseBeyondNoise = paired.WorseBeyondNoise, text = paired.ToString() },
                    },
                    CliHelpers.Json)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var width = Math.Max(24, rows.Max(r => r.Field.Length) + 2);
            var column = Math.Max(20, rows.Max(r => r.A.Length) + 2);
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{model}: {left.Version.Version} vs {right.Version.Version} (* = differs)\n");
            text.Append(' ', width + 2).Append(left.Version.Version.PadRight(column)).Append(right.Version.Version).Append('\n');
            foreach (var row in rows)
            {
                text.Append(row.A == row.B ? "  " : "* ").Append(row.Field.PadRight(width)).Append(row.A.PadRight(column)).Append(row.B).Append('\n');
            }

            text.Append(paired is null
                ? $"paired: {right.Version.Version} vs {left.Version.Version}: not comparable (a version has no evaluated rows, or they share fewer than 10)\n"
                : $"paired: {right.Version.Version} vs {left.Version.Version}: {paired}\n");
            await stdout.WriteAsync(text.ToString()).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static List<(string Field, string A, string B)> Rows(Side a, Side b)
    {
        var rows = new List<(string, string, string)>();
        void Add(string field, Func<Side, string?> value) => rows.Add((field, value(a) ?? "-", value(b) ?? "-"));

        Add("aliases", s => s.Version.Aliases.Count == 0 ? null : RegistryCommand.AliasLabels(s.Version.Aliases));
        Add("state", s => s.Version.State.ToString().ToLowerInvariant());
        Add("created", s => s.Manifest?.CreatedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        Add("run", s => s.Run?.Id);
        Add("run duration (s)", s => s.Run?.DurationSeconds.ToString("F1", CultureInfo.InvariantCulture));
        Add("trainer", s => s.Manifest?.Trainer?.Name);
        foreach (var key in Keys(a.Manifest?.Trainer?.Parameters, b.Manifest?.Trainer?.Parameters))
        {
            Add($"trainer {key}", s => s.Manifest?.Trainer?.Parameters.TryGetValue(key, out var v) == true ? v : null);
        }

        foreach (var key in Keys(a.Run?.Parameters, b.Run?.Parameters))
        {
            Add($"option {key}", s => s.Run?.Parameters.TryGetValue(key, out var v) == true ? v : null);
        }

        Add("data rows", s => s.Manifest?.Data?.Rows.ToString(CultureInfo.InvariantCulture));
        Add("data sha256", s => s.Manifest?.Data?.Sha256 is { Length: > 12 } sha ? sha[..12] + "…" : s.Manifest?.Data?.Sha256);
        Add("data sources", s => s.Manifest?.Data?.Sources is { Count: > 0 } sources ? string.Join(", ", sources.Select(Path.GetFileName)) : null);
        Add("features", s => s.Manifest is null ? null : s.Manifest.Features.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var section in new[] { "cv", "baseline", "heuristic" })
        {
            Add($"{section} MAE", s => Number(s.Metric(section, "mae"), "F4"));
            Add($"{section} RMSE", s => Number(s.Metric(section, "rmse"), "F4"));
            Add($"{section} R²", s => Number(s.Metric(section, "r2"), "F3"));
            foreach (var tolerance in Tolerances(a, section).Union(Tolerances(b, section)).Order(StringComparer.Ordinal))
            {
                Add($"{section} within {tolerance}", s => Number(s.Within(section, tolerance), "P1"));
            }
        }

        Add("skill", s => Number(s.Metric("cv", "skill"), "P1"));
        Add("interval coverage", s => Number(s.Metric(null, "intervalCoverage"), "P1"));
        Add("calibration error", s => Number(s.Metric(null, "calibrationError"), "F4"));
        foreach (var key in Keys(a.Version.Metadata.Tags, b.Version.Metadata.Tags))
        {
            Add($"tag {key}", s => s.Version.Metadata.Tags.TryGetValue(key, out var v) ? v : null);
        }

        Add("description", s => s.Version.Metadata.Description);
        return rows;
    }

    private static IEnumerable<string> Keys(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Keys ?? []).Union(b?.Keys ?? []).Order(StringComparer.Ordinal);

    private static IEnumerable<string> Tolerances(Side side, string section) =>
        side.Section(section) is { } s && s.TryGetProperty("accuracyWithin", out var within) && within.ValueKind == JsonValueKind.Object
            ? within.EnumerateObject().Select(p => p.Name)
            : [];

    private static string? Number(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>One version's side: the version, its manifest (none when deleted or unreadable) and the run that made it.</summary>
    private sealed record Side(RegistryVersion Version, ModelManifest? Manifest, RunRecord? Run)
    {
        public static Side Read(string registry, string name, RegistryVersion version)
        {
            ModelManifest? manifest = null;
            if (version.State != VersionState.Deleted)
            {
                manifest = ModelManifest.Load(version.ManifestPath);
            }

            var run = ModelRegistry.ListRuns(registry).LastOrDefault(r => r.Model == name && r.Version == version.Version);
            return new Side(version, manifest, run);
        }

        public JsonElement? Section(string? section) =>
            Manifest?.Metrics is not { ValueKind: JsonValueKind.Object } metrics ? null
            : section is null ? metrics
            : metrics.TryGetProperty(section, out var s) && s.ValueKind == JsonValueKind.Object ? s : null;

        public double? Metric(string? section, string name) =>
            Section(section) is { } s && s.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

        public double? Within(string section, string tolerance) =>
            Section(section) is { } s && s.TryGetProperty("accuracyWithin", out var within) && within.ValueKind == JsonValueKind.Object
                && within.TryGetProperty(tolerance, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
    }
}
