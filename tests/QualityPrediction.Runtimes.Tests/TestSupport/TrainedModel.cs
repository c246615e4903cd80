using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Trainers.FastTree;
using QualityPrediction.Models;

namespace QualityPrediction.Runtimes.Tests.TestSupport;

/// <summary>A tiny model trained with ML.NET in setup: <c>NAME.zip</c>, <c>NAME.onnx</c> and <c>NAME.model.json</c> in one folder.</summary>
internal sealed class TrainedModel
{
    private TrainedModel(string directory, ModelManifest manifest, IReadOnlyList<PredictionContext> holdOut)
    {
        Directory = directory;
        Manifest = manifest;
        HoldOut = holdOut;
    }

    public string Directory { get; }

    public ModelManifest Manifest { get; }

    public string Name => Manifest.Name;

    public string ManifestPath => Path.Combine(Directory, Name + ModelManifest.FileSuffix);

    public string ZipPath => Path.Combine(Directory, Name + ".zip");

    public string OnnxPath => Path.Combine(Directory, Name + ".onnx");

    /// <summary>Gets held-out contexts (with missing values, rare and unknown categories) that training never saw.</summary>
    public IReadOnlyList<PredictionContext> HoldOut { get; }

    /// <summary>Copies the artifact set into <paramref name="destination"/> (created if needed) and returns the manifest path there.</summary>
    public string CopyTo(string destination)
    {
        System.IO.Directory.CreateDirectory(destination);
        foreach (var file in new[] { ZipPath, OnnxPath, ManifestPath })
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)), overwrite: true);
        }

        return Path.Combine(destination, Name + ModelManifest.FileSuffix);
    }

    /// <summary>Reads a fresh, mutable copy of the manifest.</summary>
    public ModelManifest ReadManifest() => ModelManifest.Load(ManifestPath);

    public static TrainedModel Train(
        string directory,
        string name,
        string version,
        IList<FeatureSpec> features,
        Func<Random, PredictionContext> generate,
        Func<PredictionContext, double> label,
        int trees,
        int seed)
    {
        System.IO.Directory.CreateDirectory(directory);
        var encoder = FeatureEncoder.Create(features);
        var length = encoder.Length;
        var random = new Random(seed);
        var rows = new List<Row>();
        for (var i = 0; i < 1200; i++)
        {
            var context = generate(random);
            var vector = new float[length];
            encoder.Encode(context, vector);
            var noisy = label(context) + ((random.NextDouble() - 0.5) * 6);
            rows.Add(new Row { Features = vector, Label = (float)Math.Clamp(noisy, 0, 100) });
        }

        var holdOut = Enumerable.Range(0, 150).Select(_ => generate(random)).ToList();

        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            NumberOfTrees = trees,
            NumberOfLeaves = 8,
            MinimumExampleCountPerLeaf = 10,
            LearningRate = 0.2,
            LabelColumnName = "Label",
            FeatureColumnName = "Features",
        });
        var model = trainer.Fit(data);

        var zipPath = Path.Combine(directory, name + ".zip");
        var onnxPath = Path.Combine(directory, name + ".onnx");
        ml.Model.Save(model, data.Schema, zipPath);

        var featuresOnlySchema = SchemaDefinition.Create(typeof(FeaturesRow));
        featuresOnlySchema[nameof(FeaturesRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        var featuresOnly = ml.Data.LoadFromEnumerable(rows.Select(r => new FeaturesRow { Features = r.Features }), featuresOnlySchema);
        using (var stream = File.Create(onnxPath))
        {
            ml.Model.ConvertToOnnx(model, featuresOnly, stream, "Score");
        }

        string outputName;
        using (var session = new InferenceSession(onnxPath))
        {
            outputName = session.OutputMetadata.Keys.Single(k => k.StartsWith("Score", StringComparison.Ordinal));
        }

        var manifest = new ModelManifest
        {
            Name = name,
            Version = version,
            CreatedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            Target = new TargetInfo { Name = "quality", Min = 0, Max = 100, Tolerance = 5 },
            Features = features,
            InputName = "Features",
            InputLength = length,
            Artifacts =
            [
                Describe(zipPath, "mlnet", null),
                Describe(onnxPath, "onnx", outputName),
            ],
            Trainer = new QualityPrediction.Models.TrainerInfo { Name = "FastTree", Parameters = new Dictionary<string, string> { ["trees"] = trees.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
            Data = new DataFingerprint { Rows = rows.Count, Sha256 = "", Sources = ["generated"] },
            Calibration = new Calibration
            {
                Coverage = 0.9,
                Tolerance = 5,
                Rows = 200,
                Bins =
                [
                    new CalibrationBin { UpTo = 50, Lower = -8, Upper = 7, WithinTolerance = 0.55, Rows = 100 },
                    new CalibrationBin { UpTo = 100, Lower = -6, Upper = 9, WithinTolerance = 0.62, Rows = 100 },
                ],
            },
        };
        manifest.Save(Path.Combine(directory, name + ModelManifest.FileSuffix));
        return new TrainedModel(directory, manifest, holdOut);
    }

    /// <summary>Describes an artifact file as training does: size and SHA-256.</summary>
    public static ArtifactInfo Describe(string path, string format, string? outputName) => new()
    {
        File = Path.GetFileName(path),
        Format = format,
        Bytes = new FileInfo(path).Length,
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
        OutputName = outputName,
    };

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class FeaturesRow
    {
        public float[] Features { get; set; } = [];
    }
}
