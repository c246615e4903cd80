namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary><c>ai.onnx.ml.Scaler</c>: <c>y = (x - offset) * scale</c> in float, per column or with one value broadcast (as ONNX Runtime computes it).</summary>
internal sealed class ScalerStep : IVectorStep
{
    private readonly float[] _offset;
    private readonly float[] _scale;

    public ScalerStep(float[] offset, float[] scale, int width)
    {
        _offset = Expand(offset, width, 0);
        _scale = Expand(scale, width, 1);
        OutputWidth = width;
    }

    public int OutputWidth { get; }

    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        var offset = _offset.AsSpan(0, input.Length);
        var scale = _scale.AsSpan(0, input.Length);
        output = output[..input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            output[i] = (input[i] - offset[i]) * scale[i];
        }
    }

    private static float[] Expand(float[] values, int width, float fallback)
    {
        if (values.Length == width)
        {
            return values;
        }

        var expanded = new float[width];
        expanded.AsSpan().Fill(values.Length == 0 ? fallback : values[0]);
        return expanded;
    }
}
