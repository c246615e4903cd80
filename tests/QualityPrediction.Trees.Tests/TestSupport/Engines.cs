using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using QualityPrediction.Models;

namespace QualityPrediction.Trees.Tests.TestSupport;

/// <summary>Loads a test graph into the tree runtime and into ONNX Runtime, with a manifest of numeric features built in code.</summary>
internal static class Engines
{
    public static ModelManifest Manifest(int width) => new()
    {
        Name = "test",
        Version = "0001",
        InputName = "Features",
        Target = new TargetInfo { Name = "y", Min = 0, Max = 1, Tolerance = 0.1 },
        Features = [.. Enumerable.Range(0, width).Select(i => new FeatureSpec { Name = "f" + i, Kind = FeatureEncoding.Numeric })],
    };

    public static ArtifactInfo Artifact(string outputName = "Score.output") => new() { File = "test.onnx", Format = "onnx", OutputName = outputName };

    public static IScoringModel Trees(byte[] onnx, int width) =>
        new TreeModelRuntime().Load(Manifest(width), Artifact(), onnx, new ModelRuntimeOptions());

    /// <summary>Scores the rows with ONNX Runtime in one call (one intra-op thread, so it adds the trees in file order).</summary>
    public static float[] OnnxRuntime(byte[] onnx, float[] rows, int width)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(onnx, options);
        var tensor = new DenseTensor<float>(rows, [rows.Length / width, width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", tensor)], ["Score.output"]);
        return [.. results[0].AsEnumerable<float>()];
    }
}
