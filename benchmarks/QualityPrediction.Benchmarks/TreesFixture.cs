using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Trainers.FastTree;
using QualityPrediction.Models;

namespace QualityPrediction.Benchmarks;

/// <summary>
/// The tree-runtime benchmark models: the 100-tree fixture the trainer makes (<see cref="Fixture"/>), and FastTree
/// models of 500 and 2,000 trees fitted once with ML.NET on the same encoded wine rows (20 leaves, learning rate 0.2, as
/// the trainer's FastTree), exported to ONNX the same way and described by a copy of the fixture's manifest. Cached
/// beside the fixture.
/// </summary>
public static class TreesFixture
{
    private static readonly Lock Gate = new();

    /// <summary>Gets the manifest path of the <paramref name="trees"/>-tree model, training it at the first call.</summary>
    public static string ManifestPath(int trees)
    {
        Fixture.EnsureModel();
        if (trees == 100)
        {
            return Fixture.ManifestPath;
        }

        lock (Gate)
        {
            var folder = Folder(trees);
            var manifestPath = Path.Combine(folder, Fixture.ModelName + ModelManifest.FileSuffix);
            if (File.Exists(manifestPath))
            {
                return manifestPath;
            }

            var data = Fixture.Load();
            var staging = folder + ".staging-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Directory.CreateDirectory(staging);
            var ml = new MLContext(seed: 1);
            var rows = data.Vectors.Select(v => new Row { Features = v }).ToList();
            var labels = QualityPrediction.Training.Data.DataReader.Read([Fixture.WinePath], new QualityPrediction.Training.Data.DataReadOptions { Target = "quality" }).Targets;
            for (var i = 0; i < rows.Count; i++)
            {
                rows[i].Label = (float)labels[i];
            }

            var schema = SchemaDefinition.Create(typeof(Row));
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.Width);
            var view = ml.Data.LoadFromEnumerable(rows, schema);
            var model = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            {
                NumberOfTrees = trees,
                NumberOfLeaves = 20,
                LearningRate = 0.2,
                MinimumExampleCountPerLeaf = 10,
                NumberOfThreads = 1,
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
            }).Fit(view);

            var zip = Path.Combine(staging, Fixture.ModelName + ".zip");
            var onnx = Path.Combine(staging, Fixture.ModelName + ".onnx");
            ml.Model.Save(model, view.Schema, zip);
            var featuresOnly = ml.Data.LoadFromEnumerable(rows.Select(r => new FeaturesRow { Features = r.Features }), Schema(data.Width));
            using (var stream = File.Create(onnx))
            {
                ml.Model.ConvertToOnnx(model, featuresOnly, stream, "Score");
            }

            string outputName;
            using (var session = new InferenceSession(onnx))
            {
                outputName = session.OutputMetadata.Keys.Single(k => k.StartsWith("Score", StringComparison.Ordinal));
            }

            var manifest = ModelManifest.Load(Fixture.ManifestPath);
            manifest.Artifacts =
            [
                Describe(zip, "mlnet", null),
                Describe(onnx, "onnx", outputName),
            ];
            manifest.Trainer = new QualityPrediction.Models.TrainerInfo { Name = "FastTree", Parameters = new Dictionary<string, string> { ["trees"] = trees.ToString(System.Globalization.CultureInfo.InvariantCulture), ["leaves"] = "20" } };
            manifest.Save(Path.Combine(staging, Fixture.ModelName + ModelManifest.FileSuffix));
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.Move(staging, folder);
            return manifestPath;
        }
    }

    public static string OnnxPath(int trees) => Path.Combine(Path.GetDirectoryName(ManifestPath(trees))!, Fixture.ModelName + ".onnx");

    public static string ZipPath(int trees) => Path.Combine(Path.GetDirectoryName(ManifestPath(trees))!, Fixture.ModelName + ".zip");

    public static string OutputName(int trees) => ModelManifest.Load(ManifestPath(trees)).FindArtifact("onnx")!.OutputName ?? "Score.output";

    /// <summary>The trees runtime's scoring model alone (no predictor around it), on the model's verified bytes.</summary>
    public static IScoringModel ScoringModel(int trees, int batchThreads = 0)
    {
        var manifest = ModelManifest.Load(ManifestPath(trees));
        var artifact = manifest.FindArtifact("onnx")!;
        return new QualityPrediction.Trees.TreeModelRuntime().Load(manifest, artifact, File.ReadAllBytes(OnnxPath(trees)), new ModelRuntimeOptions { BatchIntraOpThreads = batchThreads });
    }

    private static string Folder(int trees) => Path.Combine(Path.GetDirectoryName(Fixture.Folder)!, Path.GetFileName(Fixture.Folder) + "-fasttree-" + trees.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static SchemaDefinition Schema(int width)
    {
        var schema = SchemaDefinition.Create(typeof(FeaturesRow));
        schema[nameof(FeaturesRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    private static ArtifactInfo Describe(string path, string format, string? outputName) => new()
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
