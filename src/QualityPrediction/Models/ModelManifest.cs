using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using QualityPrediction.Models.Internal;

namespace QualityPrediction.Models;

/// <summary>
/// The manifest of one trained model version (<c>NAME.model.json</c>): target, ordered features and how they
/// become the model's input vector, artifacts with their SHA-256, trainer, data fingerprint, metrics and
/// calibration. See <c>docs/model-format.md</c> for the format.
/// </summary>
public sealed class ModelManifest
{
    /// <summary>The manifest format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The file name suffix of a manifest.</summary>
    public const string FileSuffix = ".model.json";

    /// <summary>Gets or sets the manifest format version.</summary>
    public int FormatVersion { get; set; } = CurrentFormatVersion;

    /// <summary>Gets or sets the model name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the model version (e.g. <c>0003</c>).</summary>
    public string Version { get; set; } = "";

    /// <summary>Gets or sets when the model was trained.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Gets or sets the target (label) description.</summary>
    public TargetInfo Target { get; set; } = new();

    /// <summary>Gets or sets the ordered features; their order defines the model's input vector.</summary>
    public IList<FeatureSpec> Features { get; set; } = [];

    /// <summary>Gets or sets the name of the model's single input (a float vector of <see cref="FeatureEncoder.Length"/> slots).</summary>
    public string InputName { get; set; } = "Features";

    /// <summary>Gets or sets the number of slots in the input vector, as trained; loaders check it against the features.</summary>
    public int InputLength { get; set; }

    /// <summary>Gets or sets the artifact files of this version.</summary>
    public IList<ArtifactInfo> Artifacts { get; set; } = [];

    /// <summary>Gets or sets the trainer and its parameters.</summary>
    public TrainerInfo? Trainer { get; set; }

    /// <summary>Gets or sets the fingerprint of the training data.</summary>
    public DataFingerprint? Data { get; set; }

    /// <summary>Gets or sets the evaluation metrics (cross-validation, baseline, heuristic), as written by training.</summary>
    public JsonElement? Metrics { get; set; }

    /// <summary>Gets or sets the calibration used for confidence and intervals.</summary>
    public Calibration? Calibration { get; set; }

    /// <summary>Gets or sets the measured agreement between the ML.NET and ONNX artifacts.</summary>
    public ParityInfo? Parity { get; set; }

    /// <summary>Gets the serializer options used for manifests (camelCase, enums as strings, indented).</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = CreateSerializerOptions();

    private static JsonTypeInfo<ModelManifest> ManifestTypeInfo => (JsonTypeInfo<ModelManifest>)SerializerOptions.GetTypeInfo(typeof(ModelManifest));

    /// <summary>Reads a manifest from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The file name, used in error messages.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ModelFormatException">The JSON is malformed, has an unknown format version, or is inconsistent.</exception>
    public static ModelManifest Parse(string json, string source = "manifest")
    {
        ArgumentNullException.ThrowIfNull(json);
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, ManifestTypeInfo);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new ModelFormatException(source, $"malformed manifest JSON{where}: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            // System.Text.Json refuses text it cannot transcode to UTF-8 (a lone surrogate) with an ArgumentException.
            throw new ModelFormatException(source, $"the manifest text is not valid Unicode: {ex.Message}", ex);
        }

        if (manifest is null)
        {
            throw new ModelFormatException(source, "the manifest is empty (JSON null).");
        }

        manifest.Validate(source);
        return manifest;
    }

    /// <summary>Reads and validates a manifest file.</summary>
    /// <param name="path">The path of the <c>NAME.model.json</c> file.</param>
    /// <param name="maxBytes">Refuse a manifest larger than this.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ModelFormatException">The file is too large, malformed or inconsistent.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static ModelManifest Load(string path, long maxBytes = 16 * 1024 * 1024)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Model manifest '{path}' does not exist.", path);
        }

        if (info.Length > maxBytes)
        {
            throw new ModelFormatException(path, $"the manifest is {info.Length} bytes, above the limit of {maxBytes} bytes.");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Serializes this manifest to indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, ManifestTypeInfo);

    /// <summary>Writes this manifest to <paramref name="path"/> atomically (a temporary file renamed into place).</summary>
    /// <param name="path">The destination path.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var temp = path + ".tmp";
        File.WriteAllText(temp, ToJson());
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Checks the manifest for internal consistency.</summary>
    /// <param name="source">The file name, used in error messages.</param>
    /// <exception cref="ModelFormatException">The manifest is inconsistent; the message says what and where.</exception>
    public void Validate(string source = "manifest")
    {
        if (FormatVersion != CurrentFormatVersion)
        {
            throw new ModelFormatException(source, $"unknown manifest format version {FormatVersion}; this library reads version {CurrentFormatVersion}.");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ModelFormatException(source, "field 'name' is missing or empty.");
        }

        if (Target is null || string.IsNullOrWhiteSpace(Target.Name))
        {
            throw new ModelFormatException(source, "field 'target.name' is missing or empty.");
        }

        if (!double.IsFinite(Target.Min) || !double.IsFinite(Target.Max) || Target.Min >= Target.Max)
        {
            throw new ModelFormatException(source, $"field 'target': range [{Target.Min}, {Target.Max}] is invalid.");
        }

        if (!double.IsFinite(Target.Tolerance) || Target.Tolerance <= 0)
        {
            throw new ModelFormatException(source, $"field 'target.tolerance' must be a positive number, not {Target.Tolerance}.");
        }

        if (Features is null || Features.Count == 0)
        {
            throw new ModelFormatException(source, "field 'features' is missing or empty.");
        }

        if (Features.Count > 100_000)
        {
            throw new ModelFormatException(source, $"field 'features' has {Features.Count} entries, above the limit of 100000.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Features.Count; i++)
        {
            var feature = Features[i] ?? throw new ModelFormatException(source, $"field 'features[{i}]' is null.");
            feature.Validate(source, i, names);
            names.Add(feature.Name);
        }

        int length;
        try
        {
            length = FeatureEncoder.ComputeLength(Features);
        }
        catch (OverflowException)
        {
            throw new ModelFormatException(source, "the features describe an input vector too large to allocate.");
        }

        if (length > 10_000_000)
        {
            throw new ModelFormatException(source, $"the features describe an input vector of {length} slots, above the limit of 10000000.");
        }

        if (InputLength != 0 && InputLength != length)
        {
            throw new ModelFormatException(source, $"field 'inputLength' is {InputLength} but the features describe {length} slots.");
        }

        if (Artifacts is null)
        {
            throw new ModelFormatException(source, "field 'artifacts' is missing.");
        }

        for (var i = 0; i < Artifacts.Count; i++)
        {
            var artifact = Artifacts[i];
            if (artifact is null || string.IsNullOrWhiteSpace(artifact.File) || string.IsNullOrWhiteSpace(artifact.Format))
            {
                throw new ModelFormatException(source, $"field 'artifacts[{i}]' needs 'file' and 'format'.");
            }

            if (artifact.Bytes < 0)
            {
                throw new ModelFormatException(source, $"field 'artifacts[{i}].bytes' is negative.");
            }
        }

        Calibration?.Validate(source);
    }

    /// <summary>Finds the artifact of a format (<c>onnx</c> or <c>mlnet</c>).</summary>
    /// <param name="format">The format name, compared case-insensitively.</param>
    /// <returns>The artifact, or <see langword="null"/> when the manifest has none of that format.</returns>
    public ArtifactInfo? FindArtifact(string format) =>
        Artifacts.FirstOrDefault(a => string.Equals(a.Format, format, StringComparison.OrdinalIgnoreCase));

    private static JsonSerializerOptions CreateSerializerOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            AllowTrailingCommas = false,
            MaxDepth = 64,
        };

        // Source-generated metadata for the manifest's types (a reflection-built contract cost ~100 ms of a cold start,
        // docs/benchmarks.md budget 7); reflection for any other type serialized with these options, unless the host
        // is trimmed or Native AOT (reflection off): then the manifest's types only, and nothing that needs dynamic code.
        if (JsonSerializer.IsReflectionEnabledByDefault)
        {
            options.TypeInfoResolver = JsonTypeInfoResolver.Combine(ManifestJsonContext.Default, new DefaultJsonTypeInfoResolver());
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        }
        else
        {
            options.TypeInfoResolver = ManifestJsonContext.Default;
            options.Converters.Add(new JsonStringEnumConverter<FeatureEncoding>(JsonNamingPolicy.CamelCase));
        }

        options.MakeReadOnly();
        return options;
    }
}

/// <summary>The target (label) of a model.</summary>
public sealed class TargetInfo
{
    /// <summary>Gets or sets the target column name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the lowest possible score; predictions are clamped to it.</summary>
    public double Min { get; set; }

    /// <summary>Gets or sets the highest possible score; predictions are clamped to it.</summary>
    public double Max { get; set; } = 100;

    /// <summary>Gets or sets the tolerance that <see cref="QualityPredictionResult.Confidence"/> refers to: P(|error| ≤ tolerance).</summary>
    public double Tolerance { get; set; } = 5;

    /// <summary>Gets the declared range.</summary>
    [JsonIgnore]
    public ScoreRange Range => new(Min, Max);
}

/// <summary>How a feature is encoded into the model's input vector.</summary>
public enum FeatureEncoding
{
    /// <summary>One slot holding the number; a missing value is replaced by <see cref="FeatureSpec.Impute"/>.</summary>
    Numeric,

    /// <summary>One-hot: one slot per category, then a slot for rare categories and a slot for unknown ones; a missing value sets no slot.</summary>
    Categorical,

    /// <summary>One-hot over pairs of two categorical features (<see cref="FeatureSpec.Of"/>), same slots as <see cref="Categorical"/>.</summary>
    Cross,
}

/// <summary>One feature of a model: its kind, encoding and training statistics.</summary>
public sealed class FeatureSpec
{
    /// <summary>The separator between the two parts of a crossed category.</summary>
    public const char CrossSeparator = '\u001f';

    /// <summary>Gets or sets the feature name (for a cross: a display name such as <c>provider*model</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the encoding.</summary>
    public FeatureEncoding Kind { get; set; }

    /// <summary>Gets or sets, for a numeric feature, the value used when the feature is missing (the training mean).</summary>
    public double Impute { get; set; }

    /// <summary>Gets or sets, for a categorical or cross feature, the categories that have their own slot, in slot order. A cross category is <c>a + '\u001f' + b</c>.</summary>
    public IList<string>? Categories { get; set; }

    /// <summary>Gets or sets, for a categorical or cross feature, the categories seen in training too rarely for a slot of their own; they share the rare slot.</summary>
    public IList<string>? RareCategories { get; set; }

    /// <summary>Gets or sets, for a cross feature, the two categorical features it combines.</summary>
    public IList<string>? Of { get; set; }

    /// <summary>Gets or sets the training statistics used to watch drift.</summary>
    public FeatureStatistics? Statistics { get; set; }

    internal int SlotCount => Kind == FeatureEncoding.Numeric ? 1 : checked((Categories?.Count ?? 0) + 2);

    internal void Validate(string source, int index, HashSet<string> earlier)
    {
        var where = $"features[{index}]";
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ModelFormatException(source, $"field '{where}.name' is missing or empty.");
        }

        if (earlier.Contains(Name))
        {
            throw new ModelFormatException(source, $"field '{where}.name': feature '{Name}' appears twice.");
        }

        if (!Enum.IsDefined(Kind))
        {
            throw new ModelFormatException(source, $"field '{where}.kind' is not a known encoding.");
        }

        if (Kind == FeatureEncoding.Numeric)
        {
            if (!double.IsFinite(Impute))
            {
                throw new ModelFormatException(source, $"field '{where}.impute' of feature '{Name}' must be finite.");
            }

            return;
        }

        if (Categories is null)
        {
            throw new ModelFormatException(source, $"field '{where}.categories' of feature '{Name}' is missing.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var category in Categories)
        {
            if (category is null || !seen.Add(category))
            {
                throw new ModelFormatException(source, $"field '{where}.categories' of feature '{Name}' has a null or repeated category.");
            }
        }

        if (RareCategories is not null && RareCategories.Any(category => category is null))
        {
            throw new ModelFormatException(source, $"field '{where}.rareCategories' of feature '{Name}' has a null category.");
        }

        if (Kind == FeatureEncoding.Cross)
        {
            if (Of is not { Count: 2 } || Of.Any(string.IsNullOrWhiteSpace))
            {
                throw new ModelFormatException(source, $"field '{where}.of' of cross feature '{Name}' must name two features.");
            }
        }
    }
}

/// <summary>Training statistics of one feature, for drift monitoring.</summary>
public sealed class FeatureStatistics
{
    /// <summary>Gets or sets the share of training rows where the feature was missing.</summary>
    public double MissingShare { get; set; }

    /// <summary>Gets or sets the mean (numeric features).</summary>
    public double? Mean { get; set; }

    /// <summary>Gets or sets the standard deviation (numeric features).</summary>
    public double? StdDev { get; set; }

    /// <summary>Gets or sets the minimum (numeric features).</summary>
    public double? Min { get; set; }

    /// <summary>Gets or sets the maximum (numeric features).</summary>
    public double? Max { get; set; }

    /// <summary>Gets or sets the inner bin edges of the histogram (numeric features): bin i holds values in (edges[i-1], edges[i]]; the first and last bins are open.</summary>
    public IList<double>? BinEdges { get; set; }

    /// <summary>Gets or sets the share of training rows in each histogram bin (numeric: one more than <see cref="BinEdges"/>).</summary>
    public IList<double>? BinShares { get; set; }

    /// <summary>Gets or sets the share of training rows per category (categorical features); rare ones are summed under <c>"(rare)"</c>.</summary>
    public IDictionary<string, double>? CategoryShares { get; set; }
}

/// <summary>One artifact file of a model version.</summary>
public sealed class ArtifactInfo
{
    /// <summary>Gets or sets the file name, relative to the manifest's folder.</summary>
    public string File { get; set; } = "";

    /// <summary>Gets or sets the format: <c>mlnet</c> or <c>onnx</c>.</summary>
    public string Format { get; set; } = "";

    /// <summary>Gets or sets the lowercase hex SHA-256 of the file.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>Gets or sets the size of the file in bytes.</summary>
    public long Bytes { get; set; }

    /// <summary>Gets or sets, for ONNX, the name of the score output (e.g. <c>Score.output</c>).</summary>
    public string? OutputName { get; set; }
}

/// <summary>The trainer that produced a model.</summary>
public sealed class TrainerInfo
{
    /// <summary>Gets or sets the trainer name (e.g. <c>LightGbm</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the trainer's parameters.</summary>
    public IDictionary<string, string> Parameters { get; set; } = new Dictionary<string, string>();
}

/// <summary>What a model was trained on.</summary>
public sealed class DataFingerprint
{
    /// <summary>Gets or sets the number of training rows.</summary>
    public long Rows { get; set; }

    /// <summary>Gets or sets the SHA-256 over the training rows as read.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>Gets or sets the data sources (file paths or queries).</summary>
    public IList<string> Sources { get; set; } = [];
}

/// <summary>How closely the ML.NET and ONNX artifacts agree.</summary>
public sealed class ParityInfo
{
    /// <summary>Gets or sets the number of rows compared.</summary>
    public int Rows { get; set; }

    /// <summary>Gets or sets the largest absolute difference between the two runtimes' scores.</summary>
    public double MaxAbsDifference { get; set; }

    /// <summary>Gets or sets the tolerance the export enforced.</summary>
    public double Tolerance { get; set; }
}
