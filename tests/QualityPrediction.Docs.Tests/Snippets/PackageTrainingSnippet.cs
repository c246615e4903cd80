// The snippet of src/QualityPrediction.Training/README.md.
// begin-snippet: package-training
using QualityPrediction.Training;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Export;
// end-snippet

namespace QualityPrediction.Docs.Tests.Snippets;

/// <summary>src/QualityPrediction.Training/README.md: the usage example, compiled.</summary>
internal static class PackageTrainingSnippet
{
    public static void Run()
    {
        // begin-snippet: package-training
        var data = DataReader.Read(["data/winequality-red.csv"], new DataReadOptions { Target = "quality" });
        var result = ModelTrainer.Train(data, new TrainingOptions { Name = "red", Folds = 5, Tolerances = [0.5] });
        Console.WriteLine($"CV MAE {result.CrossValidation.Mae:F3} (baseline {result.Baseline.Mae:F3})");

        var manifest = ModelExporter.Export(result, "models/red", "0001", data.Contexts);   // red.zip, red.onnx, red.model.json
        // end-snippet
    }
}
