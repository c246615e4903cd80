using QualityPrediction.Training.Featurization;
using QualityPrediction.Training.Trainers;

namespace QualityPrediction.Training;

/// <summary>How to train and evaluate a model.</summary>
public sealed class TrainingOptions
{
    /// <summary>Gets or sets the model name.</summary>
    /// <value>The default is <c>quality</c>.</value>
    public string Name { get; set; } = "quality";

    /// <summary>Gets or sets the trainer; <see langword="null"/> searches the automatic space (<see cref="TrainerConfig.SearchSpace"/>).</summary>
    public TrainerKind? Trainer { get; set; }

    /// <summary>Gets or sets explicit configurations to search instead of <see cref="Trainer"/>'s space.</summary>
    public IList<TrainerConfig>? Configurations { get; set; }

    /// <summary>Gets or sets the number of outer cross-validation folds.</summary>
    /// <value>The default is 5.</value>
    public int Folds { get; set; } = 5;

    /// <summary>Gets or sets how many times the outer cross-validation is repeated with a different shuffle.</summary>
    /// <value>The default is 1.</value>
    public int Repeats { get; set; } = 1;

    /// <summary>Gets or sets the number of inner folds that choose the configuration inside each outer training fold.</summary>
    /// <value>The default is 3.</value>
    public int InnerFolds { get; set; } = 3;

    /// <summary>Gets or sets the random seed; the same seed and data give the same model and numbers.</summary>
    /// <value>The default is 1.</value>
    public int Seed { get; set; } = 1;

    /// <summary>Gets or sets the tolerances T for accuracy within T; empty derives three from the target's range (width/24, /12, /6).</summary>
    public IList<double> Tolerances { get; set; } = [];

    /// <summary>Gets or sets the tolerance the calibrated confidence refers to; <see langword="null"/> takes the middle of <see cref="Tolerances"/>.</summary>
    public double? ConfidenceTolerance { get; set; }

    /// <summary>Gets or sets the nominal coverage of the prediction interval.</summary>
    /// <value>The default is 0.9.</value>
    public double Coverage { get; set; } = 0.9;

    /// <summary>Gets or sets the declared lowest score; <see langword="null"/> takes the lowest training target.</summary>
    public double? RangeMin { get; set; }

    /// <summary>Gets or sets the declared highest score; <see langword="null"/> takes the highest training target.</summary>
    public double? RangeMax { get; set; }

    /// <summary>Gets or sets the featurization options.</summary>
    public FeaturizerOptions Featurizer { get; set; } = new();

    /// <summary>Gets or sets how many fits run at once; each fit uses one thread.</summary>
    /// <value>The default is <see cref="Environment.ProcessorCount"/>.</value>
    public int MaxParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Gets or sets whether the search also tries every configuration with every crossed pair of categorical features added
    /// (when there are 2 to 6 categorical columns and no <see cref="Trainer"/> is set); the inner cross-validation, never the outer folds, decides whether they help.</summary>
    /// <value>The default is <see langword="null"/>: in the automatic search only (no <see cref="Configurations"/>); <see langword="true"/> also over explicit <see cref="Configurations"/>; <see langword="false"/> never.</value>
    public bool? SearchCrosses { get; set; }

    /// <summary>Gets or sets whether the fitted heuristic is evaluated on the same folds.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool CompareHeuristic { get; set; } = true;

    /// <summary>Gets or sets the clock that stamps the manifest.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny([.. Path.GetInvalidFileNameChars(), '@', '/', '\\']) >= 0)
        {
            throw new ArgumentException($"The model name '{Name}' must be a non-empty file name without '@', '/' or '\\'.", nameof(Name));
        }

        if (Folds < 2 || InnerFolds < 2)
        {
            throw new ArgumentException($"Folds ({Folds}) and inner folds ({InnerFolds}) must be at least 2.", nameof(Folds));
        }

        if (Repeats < 1)
        {
            throw new ArgumentException($"Repeats must be at least 1, not {Repeats}.", nameof(Repeats));
        }

        if (!(Coverage is > 0 and < 1))
        {
            throw new ArgumentException($"Coverage must be in (0, 1), not {Coverage}.", nameof(Coverage));
        }

        if (Tolerances.Any(t => !double.IsFinite(t) || t <= 0) || ConfidenceTolerance is <= 0)
        {
            throw new ArgumentException("Tolerances must be positive numbers.", nameof(Tolerances));
        }

        if (RangeMin is { } min && RangeMax is { } max && !(min < max))
        {
            throw new ArgumentException($"The range [{min}, {max}] is empty.", nameof(RangeMin));
        }

        if (MaxParallelism < 1)
        {
            throw new ArgumentException($"MaxParallelism must be at least 1, not {MaxParallelism}.", nameof(MaxParallelism));
        }
    }
}

/// <summary>Progress of a long training step.</summary>
/// <param name="Stage">What is running, e.g. <c>cross-validation</c>.</param>
/// <param name="Done">Units done.</param>
/// <param name="Total">Units in the stage.</param>
public readonly record struct TrainingProgress(string Stage, int Done, int Total);
