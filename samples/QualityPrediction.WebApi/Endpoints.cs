using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QualityPrediction.Monitoring;
using QualityPrediction.Ranking;

namespace QualityPrediction.WebApi;

/// <summary>The handlers of the sample's endpoints.</summary>
internal static class Endpoints
{
    /// <summary>POST /quality/predict: the body is the context (a JSON object of features); the answer is the prediction.</summary>
    public static async Task<IResult> PredictAsync(HttpRequest request, IQualityPredictor predictor, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonBody.ReadAsync(request, "$", cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        var errors = new Errors();
        var context = Contracts.ReadContext(body.RootElement, "$", errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors.ToDictionary(), title: "The context is not valid.");
        }

        try
        {
            return Results.Ok(await predictor.PredictAsync(context, cancellationToken));
        }
        catch (ArgumentException ex)
        {
            // E.g. a feature of the wrong kind for the model: the library names the feature.
            return Results.ValidationProblem(new Dictionary<string, string[]> { [ex.ParamName ?? "$"] = [ex.Message] }, title: "The context is not valid.");
        }
    }

    /// <summary>POST /quality/rank: ranks the candidates for the base context and chooses one with the policy (the ranker's default when none is given).</summary>
    public static async Task<IResult> RankAsync(HttpRequest request, QualityRanker ranker, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonBody.ReadAsync(request, "", cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        var errors = new Errors();
        var (context, candidates, policy) = Contracts.ReadRankRequest(body.RootElement, errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors.ToDictionary(), title: "The ranking request is not valid.");
        }

        RankingResult ranking;
        try
        {
            ranking = ranker.Rank(context, candidates, policy ?? ranker.Policy, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [ex.ParamName ?? "$"] = [ex.Message] }, title: "The ranking request is not valid.");
        }

        var ranked = ranking.Candidates
            .Select((c, i) => new RankedCandidateResponse(
                c.Rank, c.Name, c.Score, c.Confidence, c.Interval, c.Prediction.Source, c.Prediction.Basis, c.Cost,
                ranking.GetSelectionProbability(i), c.Prediction.PredictionId))
            .ToList();
        return Results.Ok(new RankResponse(
            ranking.Policy,
            ranking.Chosen.Name,
            ranking.Chosen.Rank,
            ranking.SelectionProbability,
            ranking.ChosenPrediction.PredictionId,
            ranked));
    }

    /// <summary>POST /quality/outcomes: the observed quality of an earlier prediction, for the monitor and (when configured) the feedback store.</summary>
    public static async Task<IResult> ReportOutcomeAsync(HttpRequest request, IOutcomeReporter reporter, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonBody.ReadAsync(request, "", cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        var errors = new Errors();
        var (predictionId, observed) = Contracts.ReadOutcome(body.RootElement, errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors.ToDictionary(), title: "The outcome is not valid.");
        }

        return reporter.ReportOutcome(predictionId, observed)
            ? Results.Accepted(value: new OutcomeResponse(predictionId, observed, Matched: true))
            : Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown prediction id.",
                detail: $"Prediction {predictionId} is not one the monitor remembers (never made, already reported or forgotten), and no feedback store is configured to keep the outcome.");
    }

    /// <summary>Writes the health report as JSON: the overall status and each check's status, description and data.</summary>
    public static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            durationSeconds = report.TotalDuration.TotalSeconds,
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return context.Response.WriteAsJsonAsync(body, context.RequestAborted);
    }
}
