using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using QualityPrediction.Models;
using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Export;

/// <summary>Thrown when the ONNX export of a model disagrees with the ML.NET model beyond the tolerance, or cannot be produced.</summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="maxDifference">The measured maximum |ML.NET − ONNX| score difference, when measured.</param>
    /// <param name="innerException">The converter's or runtime's error.</param>
    public OnnxExportException(string message, double? maxDifference = null, Exception? innerException = null)
        : base(message, innerException)
    {
        MaxDifference = maxDifference;
    }

    /// <summary>Gets the measured maximum score difference, when measured.</summary>
    public double? MaxDifference { get; }
}

/// <summary>Writes a trained model's artifact set: <c>NAME.zip</c> (ML.NET), <c>NAME.onnx</c> and <c>NAME.model.json</c>.</summary>
public static class ModelExporter
{
    /// <summary>The relative parity tolerance: ONNX and ML.NET scores may differ by this share of the target's range.</summary>
    public const double RelativeParityTolerance = 1e-5;

    /// <summary>Exports a model. All files are written to a temporary folder next to <paramref name="directory"/> and moved into place at the end, so an interrupted export leaves nothing half-written.</summary>
    /// <param name="result">The training result.</param>
    /// <param name="directory">The destination folder (created if needed).</param>
    /// <param name="version">The version to stamp into the manifest (e.g. <c>0003</c>).</param>
    /// <param name="parityRows">Rows to score with both runtimes; their features are encoded with the manifest's encoder.</param>
    /// <param name="cancellationToken">Stops before the files are moved into place.</param>
    /// <returns>The manifest as written, with artifacts and parity.</returns>
    /// <exception cref="OnnxExportException">The ONNX export fails or disagrees with ML.NET by more than <see cref="RelativeParityTolerance"/> of the target's range; nothing is written.</exception>
    /// <exception cref="ModelFormatException">The loader would refuse the artifact set (its manifest or an artifact above the loader's limits); nothing is written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing is written.</exception>
    public static ModelManifest Export(TrainingResult result, string directory, string version, IReadOnlyList<PredictionContext> parityRows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(parityRows);
        var manifest = result.Manifest;
        manifest.Version = version;
        var name = manifest.Name;
        var encoder = FeatureEncoder.Create(manifest);
        var rows = parityRows.Take(2000).ToArray();
        var matrix = new float[rows.Length * encoder.Length];
        encoder.EncodeBatch(rows, matrix);

        var context = result.Context;
        var featureView = MlNetModels.FeatureView(context, matrix, encoder.Length, rows.Length);
        byte[] zip;
        using (var stream = new MemoryStream())
        {
            context.Model.Save(result.Model, featureView.Schema, stream);
            zip = stream.ToArray();
        }

        byte[] onnx;
        try
        {
            using var stream = new MemoryStream();
            context.Model.ConvertToOnnx(result.Model, featureView, stream, [MlNetModels.ScoreColumn]);
            onnx = stream.ToArray();
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or NotImplementedException or ArgumentException)
        {
            throw new OnnxExportException($"The {manifest.Trainer?.Name} model cannot be exported to ONNX: {ex.Message}", null, ex);
        }

        var (parity, outputName) = CheckParity(result, onnx, matrix, rows.Length);
        cancellationToken.ThrowIfCancellationRequested();

        manifest.Parity = parity;
        manifest.Artifacts =
        [
            new ArtifactInfo { File = name + ".zip", Format = "mlnet", Sha256 = Sha256(zip), Bytes = zip.Length },
            new ArtifactInfo { File = name + ".onnx", Format = "onnx", Sha256 = Sha256(onnx), Bytes = onnx.Length, OutputName = outputName },
        ];
        var manifestJson = manifest.ToJson();
        CheckLoadable(manifest, manifestJson, zip.Length, onnx.Length, MaxManifestBytes);

        var parent = Path.GetDirectoryName(Path.GetFullPath(directory))!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(Path.GetFullPath(directory))}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            File.WriteAllBytes(Path.Combine(temp, name + ".zip"), zip);
            File.WriteAllBytes(Path.Combine(temp, name + ".onnx"), onnx);
            File.WriteAllText(Path.Combine(temp, name + ModelManifest.FileSuffix), manifestJson);
            cancellationToken.ThrowIfCancellationRequested();
            MoveIntoPlace(temp, directory, name);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }

        return manifest;
    }

    /// <summary>The largest manifest the loader reads (the default of <see cref="ModelManifest.Load"/>): 16 MiB.</summary>
    public const long MaxManifestBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Checks an artifact set against what the loader accepts before anything is written: the manifest parses and validates
    /// as the loader reads it, and neither it nor an artifact is above the loader's size limits (16 MiB for the manifest,
    /// <see cref="ModelOptions.MaxArtifactBytes"/>'s default for an artifact). Training never writes a set the loader refuses.
    /// </summary>
    /// <exception cref="ModelFormatException">The set would be refused; the message says which limit and by how much.</exception>
    internal static void CheckLoadable(ModelManifest manifest, string manifestJson, long zipBytes, long onnxBytes, long maxManifestBytes)
    {
        var source = manifest.Name + ModelManifest.FileSuffix;
        var bytes = System.Text.Encoding.UTF8.GetByteCount(manifestJson);
        if (bytes > maxManifestBytes)
        {
            var largest = manifest.Features.OrderByDescending(f => (f.Categories?.Sum(c => c.Length) ?? 0) + (f.RareCategories?.Sum(c => c.Length) ?? 0)).First();
            throw new ModelFormatException(source, string.Create(CultureInfo.InvariantCulture,
                $"the manifest would be {bytes} bytes, above the loader's limit of {maxManifestBytes} bytes; nothing was written. The largest feature is '{largest.Name}' ({largest.Categories?.Count ?? 0} categories, {largest.RareCategories?.Count ?? 0} rare ones): leave it out (--ignore) or lower FeaturizerOptions.MaxRareCategories."));
        }

        var maxArtifact = new ModelOptions().MaxArtifactBytes;
        foreach (var (file, length) in new[] { (manifest.Name + ".zip", zipBytes), (manifest.Name + ".onnx", onnxBytes) })
        {
            if (length > maxArtifact)
            {
                throw new ModelFormatException(source, string.Create(CultureInfo.InvariantCulture, $"the artifact '{file}' would be {length} bytes, above the loader's default limit of {maxArtifact} bytes (ModelOptions.MaxArtifactBytes); nothing was written."));
            }
        }

        // The loader's own reading: the same parser and validation, on the very text to be written.
        ModelManifest.Parse(manifestJson, source);
    }

    /// <summary>Scores rows with the ML.NET model and with an ONNX file, and refuses the file when they disagree.</summary>
    /// <param name="result">The training result whose ML.NET model is the reference.</param>
    /// <param name="onnx">The ONNX file's bytes.</param>
    /// <param name="matrix">Encoded rows, row-major.</param>
    /// <param name="rows">The number of rows.</param>
    /// <returns>The parity record and the ONNX score output's name.</returns>
    /// <exception cref="OnnxExportException">The file is refused.</exception>
    internal static (ParityInfo Parity, string OutputName) CheckParity(TrainingResult result, byte[] onnx, float[] matrix, int rows)
    {
        var manifest = result.Manifest;
        var featureView = MlNetModels.FeatureView(result.Context, matrix, result.InputLength, rows);
        var mlnetScores = MlNetModels.Score(result.Model, featureView);
        var (onnxScores, outputName) = ScoreOnnx(onnx, manifest.InputName, matrix, rows, result.InputLength);
        return (Compare(mlnetScores, onnxScores, RelativeParityTolerance * manifest.Target.Range.Width), outputName);
    }

    /// <summary>Compares two runtimes' scores.</summary>
    /// <param name="mlnet">The ML.NET scores.</param>
    /// <param name="onnx">The ONNX Runtime scores.</param>
    /// <param name="tolerance">The largest allowed absolute difference.</param>
    /// <returns>The parity record.</returns>
    /// <exception cref="OnnxExportException">The counts differ, or a difference exceeds <paramref name="tolerance"/>.</exception>
    public static ParityInfo Compare(IReadOnlyList<float> mlnet, IReadOnlyList<float> onnx, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(mlnet);
        ArgumentNullException.ThrowIfNull(onnx);
        if (mlnet.Count != onnx.Count)
        {
            throw new OnnxExportException($"ML.NET scored {mlnet.Count} rows but ONNX Runtime {onnx.Count}.");
        }

        double max = 0;
        var worst = -1;
        for (var i = 0; i < mlnet.Count; i++)
        {
            var difference = Math.Abs((double)mlnet[i] - onnx[i]);
            if (!(difference <= max))
            {
                max = double.IsNaN(difference) ? double.PositiveInfinity : difference;
                worst = i;
            }
        }

        if (max > tolerance)
        {
            throw new OnnxExportException(
                string.Create(CultureInfo.InvariantCulture, $"The ONNX model disagrees with the ML.NET model: max |difference| {max:G3} on row {worst} (ML.NET {mlnet[worst]:G9}, ONNX {onnx[worst]:G9}) exceeds the tolerance {tolerance:G3}; the ONNX file was not written."),
                max);
        }

        return new ParityInfo { Rows = mlnet.Count, MaxAbsDifference = max, Tolerance = tolerance };
    }

    /// <summary>Scores encoded rows with ONNX Runtime.</summary>
    /// <param name="onnx">The ONNX model bytes.</param>
    /// <param name="inputName">The input name.</param>
    /// <param name="matrix">Row-major features.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="width">The input length.</param>
    /// <returns>The scores and the name of the score output.</returns>
    /// <exception cref="OnnxExportException">ONNX Runtime refuses the model, or it lacks the expected input or a score output.</exception>
    internal static (float[] Scores, string OutputName) ScoreOnnx(byte[] onnx, string inputName, float[] matrix, int rows, int width)
    {
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1 };
            using var session = new InferenceSession(onnx, options);
            if (session.InputMetadata.Count != 1 || !session.InputMetadata.ContainsKey(inputName))
            {
                throw new OnnxExportException($"The ONNX graph's inputs are [{string.Join(", ", session.InputMetadata.Keys)}]; expected only '{inputName}'.");
            }

            var outputName = session.OutputMetadata.Keys.FirstOrDefault(k => k.StartsWith(MlNetModels.ScoreColumn, StringComparison.Ordinal))
                ?? throw new OnnxExportException($"The ONNX graph has no score output (outputs: {string.Join(", ", session.OutputMetadata.Keys)}).");
            var tensor = new DenseTensor<float>(matrix.AsMemory(0, rows * width), [rows, width]);
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)], [outputName]);
            return ([.. outputs[0].AsEnumerable<float>()], outputName);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new OnnxExportException($"ONNX Runtime refused the exported model: {ex.Message}", null, ex);
        }
    }

    private static void MoveIntoPlace(string temp, string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var files = new[] { name + ".zip", name + ".onnx", name + ModelManifest.FileSuffix };

        // The manifest goes last: a reader that sees the new manifest finds the new artifacts beside it.
        foreach (var file in files)
        {
            File.Move(Path.Combine(temp, file), Path.Combine(directory, file), overwrite: true);
        }
    }

    internal static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
