namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>
/// <c>Add</c>, <c>Sub</c>, <c>Mul</c> or <c>Div</c> of the row with a constant (one value broadcast, or one per column),
/// in float as ONNX Runtime computes it; <see cref="ConstantFirst"/> when the constant is the left operand.
/// FastForest's export divides the summed trees by their count this way.
/// </summary>
internal sealed class ArithmeticStep : IVectorStep
{
    private readonly char _operator;
    private readonly float[] _constant;

    public ArithmeticStep(char op, float[] constant, bool constantFirst, int width)
    {
        _operator = op;
        _constant = constant.Length == width ? constant : Enumerable.Repeat(constant[0], width).ToArray();
        ConstantFirst = constantFirst;
        OutputWidth = width;
    }

    public bool ConstantFirst { get; }

    public int OutputWidth { get; }

    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        for (var i = 0; i < input.Length; i++)
        {
            var (a, b) = ConstantFirst ? (_constant[i], input[i]) : (input[i], _constant[i]);
            output[i] = _operator switch
            {
                '+' => a + b,
                '-' => a - b,
                '*' => a * b,
                _ => a / b,
            };
        }
    }
}
