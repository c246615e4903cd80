namespace QualityPrediction.Models;

/// <summary>Options for an inference engine.</summary>
public sealed class ModelRuntimeOptions
{
    /// <summary>Gets or sets the number of threads one inference may use.</summary>
    /// <value>The default is 1, fastest for single rows and friendly to a host serving many requests.</value>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Gets or sets the number of threads batch inference may use; 0 lets the engine decide.</summary>
    /// <value>The default is 0.</value>
    public int BatchIntraOpThreads { get; set; }

    /// <summary>Gets or sets whether idle engine threads spin waiting for work.</summary>
    /// <value>The default is <see langword="false"/>: no busy-waiting in a host process.</value>
    public bool AllowSpinning { get; set; }
}
