namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>An element-wise or row-wise operator before or after the ensemble (e.g. <c>ai.onnx.ml.Scaler</c>), applied to one row.</summary>
internal interface IVectorStep
{
    /// <summary>Gets the width of the row the step writes.</summary>
    int OutputWidth { get; }

    /// <summary>Writes the step's output for one row; <paramref name="output"/> may not overlap <paramref name="input"/>.</summary>
    void Apply(ReadOnlySpan<float> input, Span<float> output);
}
