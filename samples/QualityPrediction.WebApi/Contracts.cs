using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using QualityPrediction.Ranking;

namespace QualityPrediction.WebApi;

/// <summary>The JSON shapes of the endpoints and the parsing of request bodies into library types, with errors that name the field.</summary>
internal static class Contracts
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    }

    /// <summary>Reads a context: a JSON object whose members are features, numbers (numeric) or strings (categorical).</summary>
    public static PredictionContext ReadContext(JsonElement element, string path, Errors errors)
    {
        var context = new PredictionContext();
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, $"must be a JSON object of features, not {Describe(element)}.");
            return context;
        }

        foreach (var property in element.EnumerateObject())
        {
            ReadFeature(property, $"{path}.{property.Name}", errors, (name, value) => context.Set(name, value));
        }

        return context;
    }

    /// <summary>Reads the body of POST /quality/rank.</summary>
    public static (PredictionContext Context, List<RankingCandidate> Candidates, RankingPolicy? Policy) ReadRankRequest(JsonElement body, Errors errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", $"must be a JSON object with 'context', 'candidates' and optionally 'policy', not {Describe(body)}.");
            return (new PredictionContext(), [], null);
        }

        UnknownMembers(body, "", errors, "context", "candidates", "policy");
        var context = body.TryGetProperty("context", out var contextElement) && contextElement.ValueKind != JsonValueKind.Null
            ? ReadContext(contextElement, "context", errors)
            : new PredictionContext();

        var candidates = new List<RankingCandidate>();
        if (!body.TryGetProperty("candidates", out var list))
        {
            errors.Add("candidates", "is required: a non-empty array of candidates, each with 'provider' and 'model' or a 'name' and 'features'.");
        }
        else if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("candidates", $"must be an array of candidates, each with 'provider' and 'model' or a 'name' and 'features', not {Describe(list)}.");
        }
        else if (list.GetArrayLength() == 0)
        {
            errors.Add("candidates", "must not be empty: give at least one candidate.");
        }
        else
        {
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (ReadCandidate(item, string.Create(CultureInfo.InvariantCulture, $"candidates[{index}]"), errors) is { } candidate)
                {
                    candidates.Add(candidate);
                }

                index++;
            }

            var duplicate = candidates.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                errors.Add("candidates", $"names must be unique, but '{duplicate.Key}' appears {duplicate.Count()} times.");
            }
        }

        RankingPolicy? policy = null;
        if (body.TryGetProperty("policy", out var policyElement) && policyElement.ValueKind != JsonValueKind.Null)
        {
            policy = ReadPolicy(policyElement, errors);
        }

        return (context, candidates, policy);
    }

    /// <summary>Reads the body of POST /quality/outcomes.</summary>
    public static (Guid PredictionId, double Observed) ReadOutcome(JsonElement body, Errors errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", $"must be a JSON object with 'predictionId' and 'observed', not {Describe(body)}.");
            return default;
        }

        UnknownMembers(body, "", errors, "predictionId", "observed");
        var id = Guid.Empty;
        if (!body.TryGetProperty("predictionId", out var idElement))
        {
            errors.Add("predictionId", "is required: the GUID returned as 'predictionId' by /quality/predict or /quality/rank.");
        }
        else if (idElement.ValueKind != JsonValueKind.String)
        {
            errors.Add("predictionId", $"must be a GUID string (the 'predictionId' returned by /quality/predict or /quality/rank), not {Describe(idElement)}.");
        }
        else if (!Guid.TryParse(idElement.GetString(), out id))
        {
            errors.Add("predictionId", $"{Describe(idElement)} is not a GUID; send the 'predictionId' returned by /quality/predict or /quality/rank.");
        }
        else if (id == Guid.Empty)
        {
            errors.Add("predictionId", "must not be the empty GUID; send the 'predictionId' returned by /quality/predict or /quality/rank.");
        }

        var observed = double.NaN;
        if (!body.TryGetProperty("observed", out var observedElement))
        {
            errors.Add("observed", "is required: the observed quality, a finite number in the target's scale.");
        }
        else if (observedElement.ValueKind != JsonValueKind.Number || !observedElement.TryGetDouble(out observed) || !double.IsFinite(observed))
        {
            errors.Add("observed", $"must be a finite number (the observed quality, in the target's scale), not {Describe(observedElement)}.");
        }

        return (id, observed);
    }

    private static RankingCandidate? ReadCandidate(JsonElement item, string path, Errors errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, $"must be a JSON object, not {Describe(item)}.");
            return null;
        }

        var before = errors.Count;
        UnknownMembers(item, path, errors, "provider", "model", "name", "features", "cost");
        var features = new List<KeyValuePair<string, FeatureValue>>();
        string? provider = OptionalString(item, "provider", path, errors);
        string? model = OptionalString(item, "model", path, errors);
        string? name = OptionalString(item, "name", path, errors);
        if (provider is not null)
        {
            features.Add(new(WellKnownFeatures.Provider, FeatureValue.Categorical(provider)));
        }

        if (model is not null)
        {
            features.Add(new(WellKnownFeatures.Model, FeatureValue.Categorical(model)));
        }

        if (item.TryGetProperty("features", out var extra))
        {
            if (extra.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path}.features", $"must be a JSON object of features, not {Describe(extra)}.");
            }
            else
            {
                foreach (var property in extra.EnumerateObject())
                {
                    var featurePath = $"{path}.features.{property.Name}";
                    if (features.Any(f => f.Key == property.Name))
                    {
                        errors.Add(featurePath, "is set twice (also by 'provider'/'model' or an earlier member).");
                        continue;
                    }

                    ReadFeature(property, featurePath, errors, (n, v) => features.Add(new(n, v)));
                }
            }
        }

        double? cost = null;
        if (item.TryGetProperty("cost", out var costElement) && costElement.ValueKind != JsonValueKind.Null)
        {
            if (costElement.ValueKind == JsonValueKind.Number && costElement.TryGetDouble(out var value) && double.IsFinite(value) && value >= 0)
            {
                cost = value;
            }
            else
            {
                errors.Add($"{path}.cost", $"must be a finite number ≥ 0, not {Describe(costElement)}.");
            }
        }

        name ??= provider is not null && model is not null ? $"{provider}/{model}" : null;
        if (name is null)
        {
            errors.Add(path, "needs a 'name', or both 'provider' and 'model' (the name is then 'provider/model').");
        }

        return errors.Count == before ? new RankingCandidate(name!, features, cost) : null;
    }

    private static RankingPolicy? ReadPolicy(JsonElement element, Errors errors)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return CreatePolicy(element.GetString()!, default, errors);
        }

        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
        {
            errors.Add("policy", "must be a policy name or an object with a 'name' (greedy, min-confidence, epsilon-greedy, ucb, thompson, quality-per-cost, cheapest-within) and its parameter.");
            return null;
        }

        var policyName = nameElement.GetString()!;
        if (PolicyParameters.TryGetValue(policyName, out var parameter))
        {
            UnknownMembers(element, "policy", errors, parameter is null ? ["name"] : ["name", parameter]);
        }

        return CreatePolicy(policyName, element, errors);
    }

    /// <summary>Each policy's one parameter (none for greedy).</summary>
    private static readonly Dictionary<string, string?> PolicyParameters = new(StringComparer.Ordinal)
    {
        ["greedy"] = null,
        ["min-confidence"] = "minConfidence",
        ["epsilon-greedy"] = "epsilon",
        ["ucb"] = "scale",
        ["thompson"] = "scale",
        ["quality-per-cost"] = "baseline",
        ["cheapest-within"] = "tolerance",
    };

    private static RankingPolicy? CreatePolicy(string name, JsonElement parameters, Errors errors)
    {
        double Parameter(string parameter, double fallback)
        {
            if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty(parameter, out var value))
            {
                return fallback;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
            {
                return number;
            }

            errors.Add($"policy.{parameter}", $"must be a number, not {Describe(value)}.");
            return fallback;
        }

        try
        {
            return name switch
            {
                "greedy" => new GreedyPolicy(),
                "min-confidence" => new MinimumConfidencePolicy(Parameter("minConfidence", 0.5)),
                "epsilon-greedy" => new EpsilonGreedyPolicy(Parameter("epsilon", 0.1)),
                "ucb" => new UpperConfidenceBoundPolicy(Parameter("scale", 1)),
                "thompson" => new ThompsonSamplingPolicy(Parameter("scale", 1)),
                "quality-per-cost" => new QualityPerCostPolicy(Parameter("baseline", 0)),
                "cheapest-within" => new CheapestWithinTolerancePolicy(Parameter("tolerance", 5)),
                _ => Unknown(),
            };
        }
        catch (ArgumentException ex)
        {
            errors.Add("policy", ex.Message);
            return null;
        }

        RankingPolicy? Unknown()
        {
            errors.Add("policy.name", $"'{name}' is not a policy; use greedy, min-confidence, epsilon-greedy, ucb, thompson, quality-per-cost or cheapest-within.");
            return null;
        }
    }

    private static void ReadFeature(JsonProperty property, string path, Errors errors, Action<string, FeatureValue> set)
    {
        if (string.IsNullOrWhiteSpace(property.Name))
        {
            errors.Add(path, "a feature needs a non-empty name.");
            return;
        }

        switch (property.Value.ValueKind)
        {
            case JsonValueKind.Number when property.Value.TryGetDouble(out var number) && double.IsFinite(number):
                set(property.Name, FeatureValue.Numeric(number));
                break;
            case JsonValueKind.String:
                set(property.Name, FeatureValue.Categorical(property.Value.GetString()!));
                break;
            case JsonValueKind.Null:
                // A missing value: left out, so the predictor imputes it as its manifest says.
                break;
            default:
                errors.Add(path, $"must be a finite number (numeric feature) or a string (categorical feature), not {Describe(property.Value)}.");
                break;
        }
    }

    private static string? OptionalString(JsonElement item, string property, string path, Errors errors)
    {
        if (!item.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
        {
            return value.GetString();
        }

        errors.Add($"{path}.{property}", $"must be a non-empty string, not {Describe(value)}.");
        return null;
    }

    /// <summary>Adds an error for each member of <paramref name="element"/> that is not one of <paramref name="known"/> (a typo would otherwise be ignored).</summary>
    private static void UnknownMembers(JsonElement element, string path, Errors errors, params string[] known)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                var near = known.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
                errors.Add(
                    path.Length == 0 ? property.Name : $"{path}.{property.Name}",
                    $"is not a member here{(near is null ? "" : $" (did you mean '{near}'?)")}; the members are {string.Join(", ", known.Select(k => $"'{k}'"))}.");
            }
        }
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{element.GetString()}\"",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Null => "null",
        _ => element.GetRawText(),
    };
}

/// <summary>Validation errors by field path, as ASP.NET Core's validation problem wants them.</summary>
internal sealed class Errors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public int Count => _errors.Values.Sum(e => e.Count);

    public void Add(string path, string message)
    {
        if (!_errors.TryGetValue(path, out var list))
        {
            _errors[path] = list = [];
        }

        list.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>One ranked candidate in the response of POST /quality/rank.</summary>
internal sealed record RankedCandidateResponse(
    int Rank,
    string Name,
    double Score,
    double Confidence,
    PredictionInterval Interval,
    PredictionSource Source,
    string? Basis,
    double? Cost,
    double SelectionProbability,
    Guid PredictionId);

/// <summary>The response of POST /quality/rank: the ranking, the chosen candidate and its selection probability.</summary>
internal sealed record RankResponse(
    string Policy,
    string Chosen,
    int ChosenRank,
    double SelectionProbability,
    Guid PredictionId,
    IReadOnlyList<RankedCandidateResponse> Candidates);

/// <summary>The response of POST /quality/outcomes.</summary>
internal sealed record OutcomeResponse(Guid PredictionId, double Observed, bool Matched);
