using QualityPrediction.Training.Data;

namespace QualityPrediction.Cli.Commands;

/// <summary>What one training run is asked to do: the options of <c>quality train</c>, also filled in by <c>quality iterate</c>.</summary>
internal sealed class TrainRequest
{
    public required IReadOnlyList<string> Data { get; init; }

    public required string Target { get; init; }

    public required string Out { get; init; }

    public string Name { get; init; } = "quality";

    public string Trainer { get; init; } = "auto";

    public int Folds { get; init; } = 5;

    public int Repeats { get; init; } = 1;

    public int InnerFolds { get; init; } = 3;

    public int Seed { get; init; } = 1;

    public IReadOnlyList<double> Tolerances { get; init; } = [];

    public IReadOnlyList<string> Categorical { get; init; } = [];

    public IReadOnlyList<string> Ignore { get; init; } = [];

    public string? Registry { get; init; }

    public string? Report { get; init; }

    public bool Json { get; init; }

    public BadRowPolicy OnBadRow { get; init; } = BadRowPolicy.Fail;

    public double Coverage { get; init; } = 0.9;

    public (double Min, double Max)? Range { get; init; }

    public int MinCategoryRows { get; init; } = 10;

    public IReadOnlyList<(string Left, string Right)> Crosses { get; init; } = [];

    public string? Weight { get; init; }

    public string? Propensity { get; init; }

    public double MaxInversePropensity { get; init; } = 20;

    public char? DecimalSeparator { get; init; }

    /// <summary>Gets files of logged serving contexts; a feature none of them carries is refused (or, with <see cref="AllowUnservedFeatures"/>, warned about).</summary>
    public IReadOnlyList<string> ServingContexts { get; init; } = [];

    public bool AllowUnservedFeatures { get; init; }

    /// <summary>Gets a value indicating whether the automatic search tries crossed pairs of categorical columns.</summary>
    public bool SearchCrosses { get; init; } = true;

    /// <summary>Gets the command line's options as given, recorded in the registry's run record.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
}
