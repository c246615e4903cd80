using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QualityPrediction;

// 1. Build a Generic Host. The content root is the output folder, so appsettings.json and data/ are found
//    whatever the current directory is (e.g. `dotnet run --project samples/QualityPrediction.Sample` from the repo root).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

// 2. Register the predictor from the "QualityPrediction" section of appsettings.json: a trained ONNX model shipped in
//    models/ (see models/README.md) answers first; a heuristic fitted at start from data/outcomes.jsonl (synthetic; see
//    data/README.md) is the fallback. Delete models/narration.onnx from the output folder and the heuristic answers,
//    with the model member's status and reason printed below.
builder.Services.AddQualityPrediction(builder.Configuration.GetSection(QualityPredictionOptions.SectionName))
    .AddOnnxRuntime()     // loads the "Models" entries of the configuration
    .AddQualityMonitor(); // rolling error per model version, for the game session below

using var host = builder.Build();

// 3. Start the host: the options are validated now (a bad setting stops the app with a message saying what to fix), and
//    the start waits for the model's first load.
await host.StartAsync();

// 4. Resolve the composed predictor (a singleton; thread-safe).
var predictor = host.Services.GetRequiredService<IQualityPredictor>();

// 5. Score a handful of contexts, including a model and a provider that the outcomes never mention.
(string Label, PredictionContext Context)[] cases =
[
    ("gpt-4o, combat, success", new PredictionContext().WithProvider("openai").WithModel("gpt-4o").WithActionType("combat").WithRollType("success").WithStat("might", 14).WithPromptTokens(1200)),
    ("claude-sonnet-4, dialogue, crit", new PredictionContext().WithProvider("anthropic").WithModel("claude-sonnet-4").WithActionType("dialogue").WithRollType("critical-success").WithStat("charm", 17)),
    ("gemini-2.0-flash, puzzle, fail", new PredictionContext().WithProvider("google").WithModel("gemini-2.0-flash").WithActionType("puzzle").WithRollType("failure").WithStat("wits", 8)),
    ("mistral-small (12 rows only)", new PredictionContext().WithProvider("mistral").WithModel("mistral-small").WithActionType("exploration").WithRollType("success")),
    ("gpt-5-preview (unseen model)", new PredictionContext().WithProvider("openai").WithModel("gpt-5-preview").WithActionType("combat").WithRollType("success")),
    ("nova-1 (unseen provider)", new PredictionContext().WithProvider("newcorp").WithModel("nova-1").WithActionType("combat").WithRollType("success")),
];

Console.WriteLine();
Console.WriteLine($"{"context",-34} {"score",6} {"confidence",-17} {"interval",-22} {"source",-10} basis");
foreach (var (label, context) in cases)
{
    var result = await predictor.PredictAsync(context);
    var confidence = string.Create(CultureInfo.InvariantCulture, $"{result.Confidence:P0} ({result.ConfidenceKind})");
    var interval = string.Create(CultureInfo.InvariantCulture, $"[{result.Interval.Lower:F1}, {result.Interval.Upper:F1}] @{result.Interval.Coverage:P0}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-34} {result.Score,6:F1} {confidence,-17} {interval,-22} {result.Source,-10} {result.Basis}"));
}

Console.WriteLine();
Console.WriteLine("Confidence: P(|error| <= 5 points), calibrated on held-out rows (model) or in-sample residuals (heuristic).");
Console.WriteLine("Ensemble members for the last prediction:");
foreach (var member in (await predictor.PredictAsync(cases[^1].Context)).Members)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {member.Name,-12} {member.Status,-10} {member.Source,-10} {(member.Score is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "-"),6}  {member.ModelVersion} {member.Reason}"));
}

// 6. Play a game session (the "Session" section): rank candidate models each turn with an exploring policy, simulate
//    the narration's quality, report outcomes to the monitor, refit the heuristic every few turns. See GameSession.cs.
var session = builder.Configuration.GetSection("Session").Get<SessionOptions>() ?? new();
var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<QualityPredictionOptions>>().Value;
var configuredFit = options.Heuristic.Fit;
var sessionFit = new QualityPrediction.Heuristics.HeuristicFitOptions
{
    Target = configuredFit.Target,
    Hierarchy = [.. configuredFit.Hierarchy],
    Factors = [.. configuredFit.Factors],
    Shrinkage = session.Shrinkage ?? configuredFit.Shrinkage,
    Coverage = configuredFit.Coverage,
    MinRowsForResiduals = configuredFit.MinRowsForResiduals,
};
new GameSession(
    session,
    sessionFit,
    new ScoreRange(options.MinScore ?? QualityPredictionOptions.DefaultRange.Min, options.MaxScore ?? QualityPredictionOptions.DefaultRange.Max),
    options.Tolerance ?? QualityPredictionOptions.DefaultTolerance,
    Path.Combine(AppContext.BaseDirectory, options.Heuristic.OutcomesPath ?? "data/outcomes.jsonl"),
    host.Services.GetRequiredService<QualityPrediction.Monitoring.IOutcomeReporter>(),
    host.Services.GetRequiredService<QualityPrediction.Monitoring.QualityMonitor>()).Run();

// 7. Stop the host; disposing it disposes the predictor.
await host.StopAsync();
