using Microsoft.Extensions.Logging;
using System.Globalization;

namespace QualityPrediction.Models.Internal;

/// <summary>
/// Loads one version of a configured model: resolves the manifest, reads and validates it (a regular file within its
/// size limit), refuses a schema change unless it is accepted, chooses the runtime, verifies the artifact's bytes, and
/// only then builds the feature encoder and the engine, checks the input length and warms up. Every error names the
/// file and what is wrong with it.
/// </summary>
internal sealed class ModelLoader(string name, ModelReference reference, ModelOptions options, IModelRuntime[] runtimes, ModelRuntimeOptions engine, UnknownFeatureGuard guard, ILogger logger)
{
    /// <summary>The manifest size limit (the same as <see cref="ModelManifest.Load"/>'s default).</summary>
    public const long MaxManifestBytes = 16 * 1024 * 1024;

    /// <summary>Reads the manifest the configured path points to now, without loading anything else.</summary>
    public (string Path, ModelManifest Manifest) ReadManifest()
    {
        var manifestPath = reference.ResolveManifestPath();
        FileChecks.RequireRegularFile(manifestPath, "manifest", MaxManifestBytes, "16 MiB");
        try
        {
            return (manifestPath, ModelManifest.Load(manifestPath, MaxManifestBytes));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(manifestPath, $"the manifest cannot be read: {ex.Message}", ex);
        }
    }

    public LoadedModel Load(ModelManifest? live, DateTimeOffset now)
    {
        var (manifestPath, manifest) = ReadManifest();
        if (live is not null && !options.AcceptSchemaChanges && SchemaChange(live, manifest) is { } change)
        {
            throw new ModelLoadException(manifestPath, $"version {manifest.Version} changes the schema of the live version {live.Version}: {change}. It is refused and {live.Version} keeps serving; set ModelOptions.AcceptSchemaChanges to swap it in.", null);
        }

        var candidates = ChooseRuntimes(manifestPath, manifest);
        IModelRuntime runtime = null!;
        IScoringModel? scoring = null;
        var artifactPath = "";
        ReadOnlyMemory<byte> bytes = default;
        string? bytesPath = null;
        FeatureEncoder? encoder = null;
        for (var c = 0; scoring is null; c++)
        {
            (runtime, var artifact, artifactPath) = candidates[c];
            if (bytesPath != artifactPath)
            {
                bytes = ArtifactReader.ReadVerified(artifactPath, artifact, options.MaxArtifactBytes, options.VerifyHash);
                bytesPath = artifactPath;
            }

            // Built only after the bytes are verified: a manifest's size limit bounds what it costs before then.
            encoder ??= FeatureEncoder.Create(manifest);
            try
            {
                scoring = runtime.Load(manifest, artifact, bytes, engine);
            }
            catch (UnsupportedModelException ex) when (c + 1 < candidates.Count)
            {
                // An inferred runtime that cannot run this graph (e.g. the managed tree runtime and a linear model): the next one that reads the format tries.
                ModelLog.RuntimeDeclined(logger, name, runtime.Name, ex.Reason ?? ex.Message);
            }
            catch (ModelLoadException ex) when (ex.File is { } file && !Path.IsPathRooted(file))
            {
                // Runtimes name the artifact as the manifest lists it; name the full path, so a refusal tells which version it was.
                throw ex is UnsupportedModelException
                    ? new UnsupportedModelException(artifactPath, ex.Reason ?? ex.Message, ex)
                    : new ModelLoadException(artifactPath, ex.Reason ?? ex.Message, ex);
            }
            catch (ModelLoadException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new ModelLoadException(artifactPath, $"the {runtime.Name} runtime refused the artifact: {ex.GetType().Name}: {ex.Message}", ex);
            }
        }

        var loaded = new LoadedModel(name, manifestPath, runtime.Name, manifest, encoder!, scoring, now, guard);
        try
        {
            if (scoring.InputLength != encoder!.Length)
            {
                throw new ModelLoadException(artifactPath, $"the model takes {scoring.InputLength} input values but the manifest's features describe {encoder!.Length}.", null);
            }

            loaded.WarmUp();
        }
        catch (Exception ex)
        {
            loaded.Release();
            if (ex is ModelLoadException)
            {
                throw;
            }

            throw new ModelLoadException(artifactPath, $"the model failed its warm-up prediction: {ex.Message}", ex);
        }

        return loaded;
    }

    /// <summary>Describes how <paramref name="next"/>'s schema differs from <paramref name="live"/>'s (features, their kinds, the target range); <see langword="null"/> when it does not.</summary>
    internal static string? SchemaChange(ModelManifest live, ModelManifest next)
    {
        if (live.Target.Min != next.Target.Min || live.Target.Max != next.Target.Max)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the target range changes from [{live.Target.Min}, {live.Target.Max}] to [{next.Target.Min}, {next.Target.Max}]");
        }

        var before = live.Features.ToDictionary(f => f.Name, f => f.Kind, StringComparer.Ordinal);
        var after = next.Features.ToDictionary(f => f.Name, f => f.Kind, StringComparer.Ordinal);
        foreach (var (feature, kind) in after)
        {
            if (before.TryGetValue(feature, out var old) && old != kind)
            {
                return $"feature '{feature}' changes from {old.ToString().ToLowerInvariant()} to {kind.ToString().ToLowerInvariant()}";
            }
        }

        var added = after.Keys.Where(k => !before.ContainsKey(k)).ToList();
        var removed = before.Keys.Where(k => !after.ContainsKey(k)).ToList();
        if (added.Count > 0 || removed.Count > 0)
        {
            return string.Join("; ", new[]
            {
                added.Count > 0 ? $"feature{(added.Count == 1 ? "" : "s")} {string.Join(", ", added.Select(a => $"'{a}'"))} added" : null,
                removed.Count > 0 ? $"feature{(removed.Count == 1 ? "" : "s")} {string.Join(", ", removed.Select(r => $"'{r}'"))} removed" : null,
            }.Where(t => t is not null));
        }

        return null;
    }

    /// <summary>The runtimes to try, in order: the one <see cref="ModelOptions.Runtime"/> names, or else the managed trees, ONNX, ML.NET (those whose artifact is present first).</summary>
    private List<(IModelRuntime Runtime, ArtifactInfo Artifact, string Path)> ChooseRuntimes(string manifestPath, ModelManifest manifest)
    {
        if (options.Runtime is { } wanted)
        {
            var runtime = runtimes.First(r => string.Equals(r.Name, wanted, StringComparison.OrdinalIgnoreCase));
            var artifact = manifest.FindArtifact(runtime.Format)
                ?? throw new ModelLoadException(manifestPath, $"the manifest lists no '{runtime.Format}' artifact for the '{runtime.Name}' runtime (it has: {FormatList(manifest)}).", null);
            return [(runtime, artifact, ArtifactReader.ResolvePath(manifestPath, artifact))];
        }

        var present = new List<(IModelRuntime, ArtifactInfo, string)>();
        var listed = new List<(IModelRuntime, ArtifactInfo, string)>();
        foreach (var runtime in runtimes.OrderBy(Preference))
        {
            var artifact = manifest.FindArtifact(runtime.Format);
            if (artifact is null)
            {
                continue;
            }

            var path = ArtifactReader.ResolvePath(manifestPath, artifact);
            (File.Exists(path) ? present : listed).Add((runtime, artifact, path));
        }

        present.AddRange(listed);
        return present.Count > 0
            ? present
            : throw new ModelLoadException(manifestPath, $"no registered runtime ({string.Join(", ", runtimes.Select(r => r.Name))}) can load any of the manifest's artifacts ({FormatList(manifest)}).", null);
    }

    private static int Preference(IModelRuntime runtime) =>
        string.Equals(runtime.Name, "trees", StringComparison.OrdinalIgnoreCase) ? 0
        : string.Equals(runtime.Format, "onnx", StringComparison.OrdinalIgnoreCase) ? 1
        : string.Equals(runtime.Format, "mlnet", StringComparison.OrdinalIgnoreCase) ? 2
        : 3;

    private static string FormatList(ModelManifest manifest) =>
        manifest.Artifacts.Count == 0 ? "none" : string.Join(", ", manifest.Artifacts.Select(a => a.Format));
}
