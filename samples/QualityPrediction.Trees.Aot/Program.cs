using System.Diagnostics;
using System.Globalization;
using QualityPrediction;
using QualityPrediction.Models;
using QualityPrediction.Trees;

// A host published with Native AOT that scores a trained model through the managed tree runtime: no native engine
// and no JIT. Usage: QualityPrediction.Trees.Aot [MANIFEST] [name=value ...]; prints the scores and how long the
// process took from start to its first score.

// 1. The model: the manifest beside the executable unless one is given (relative paths are relative to it).
var manifestPath = args.Length > 0 && !args[0].Contains('=', StringComparison.Ordinal) ? args[0] : "models/narration.model.json";

// 2. A catalog over the tree runtime alone: the manifest is read and verified, the .onnx artifact's hash checked, its
//    graph compiled; a graph the runtime cannot run is refused with the operator named (there is no other runtime here).
await using var catalog = await StandaloneModelCatalog.LoadAsync(
    [new ModelOptions { Name = "narration", Path = Path.Combine(AppContext.BaseDirectory, manifestPath), Runtime = TreeModelRuntime.RuntimeName, WatchForChanges = false }],
    [new TreeModelRuntime()]);
var predictor = new ModelPredictor(catalog, "narration");
if (predictor.Status.State != ModelLoadState.Loaded)
{
    Console.Error.WriteLine($"The model did not load: {predictor.Status.LastError}");
    return 1;
}

// 3. A context from the command line (name=value; numbers are numeric features), or two examples.
var contexts = new List<PredictionContext>();
var given = args.Where(a => a.Contains('=', StringComparison.Ordinal)).ToList();
if (given.Count > 0)
{
    var context = new PredictionContext();
    foreach (var pair in given)
    {
        var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            context.Set(name, number);
        }
        else
        {
            context.Set(name, value);
        }
    }

    contexts.Add(context);
}
else
{
    contexts.Add(new PredictionContext().WithProvider("anthropic").WithModel("claude-sonnet-4").WithActionType("dialogue").WithRollType("success").Set("statValue", 14).Set("promptTokens", 1200));
    contexts.Add(new PredictionContext().WithProvider("openai").WithModel("gpt-4o").WithActionType("combat").WithRollType("failure").Set("statValue", 6).Set("promptTokens", 600));
}

// 4. Score, and report the time from process start to the first score.
var first = true;
foreach (var context in contexts)
{
    var result = predictor.Predict(context);
    if (first)
    {
        var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first score {sinceStart.TotalMilliseconds:F0} ms after process start ({predictor.Status.Runtime} runtime, model {predictor.Status.Manifest?.Name} {result.ModelVersion})"));
        first = false;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"score {result.Score:F2}  interval [{result.Interval.Lower:F2}, {result.Interval.Upper:F2}]  confidence {result.Confidence:P0}  source {result.Source}"));
}

return 0;
