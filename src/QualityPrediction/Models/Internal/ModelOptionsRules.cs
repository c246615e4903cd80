namespace QualityPrediction.Models.Internal;

/// <summary>The checks a set of model options must pass before a catalog is built: names, paths, runtimes.</summary>
internal static class ModelOptionsRules
{
    /// <summary>Throws <see cref="ArgumentException"/> or <see cref="InvalidOperationException"/> naming the model and what to fix.</summary>
    public static void Check(IReadOnlyList<ModelOptions> models, IModelRuntime[] runtimes)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < models.Count; i++)
        {
            var options = models[i] ?? throw new ArgumentException($"Model {i} is null.", nameof(models));
            if (string.IsNullOrWhiteSpace(options.Name))
            {
                throw new ArgumentException($"Model {i} needs a name (ModelOptions.Name).", nameof(models));
            }

            if (string.IsNullOrWhiteSpace(options.Path))
            {
                throw new ArgumentException($"Model '{options.Name}' needs a manifest path or registry reference (ModelOptions.Path).", nameof(models));
            }

            if (options.MaxArtifactBytes <= 0)
            {
                throw new ArgumentException($"Model '{options.Name}': ModelOptions.MaxArtifactBytes must be positive.", nameof(models));
            }

            if (paths.TryGetValue(options.Name, out var other) && !string.Equals(other, options.Path, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Two models are named '{options.Name}', with the paths '{other}' and '{options.Path}'; give each model its own name.", nameof(models));
            }

            paths[options.Name] = options.Path;
            if (runtimes.Length == 0)
            {
                throw new InvalidOperationException($"Model '{options.Name}': no model runtime is registered; reference QualityPrediction.Onnx or QualityPrediction.MLNet and call AddOnnxModel(...) or AddMLNetModel(...) (or AddOnnxRuntime()/AddMLNetRuntime()).");
            }

            if (options.Runtime is { } runtime && !runtimes.Any(r => string.Equals(r.Name, runtime, StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException($"Model '{options.Name}' asks for the '{runtime}' runtime, but only {string.Join(", ", runtimes.Select(r => $"'{r.Name}'"))} {(runtimes.Length == 1 ? "is" : "are")} registered.");
            }
        }
    }
}
