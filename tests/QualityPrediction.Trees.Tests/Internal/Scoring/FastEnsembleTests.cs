using QualityPrediction.Trees.Tests.TestSupport;

namespace QualityPrediction.Trees.Tests.Internal.Scoring;

/// <summary>
/// Random ensembles that use every branch mode, missing-value tracking, NaN and infinite inputs, inputs exactly on
/// the thresholds, double thresholds, base values, every aggregate and the logistic transform, scored by the tree
/// runtime and by ONNX Runtime.
/// </summary>
[TestFixture]
public sealed class FastEnsembleTests
{
    private const int Width = 5;

    private static readonly string[] BranchModes = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"];

    [TestCase("SUM", "NONE", new[] { "BRANCH_LEQ" }, false, 1)]
    [TestCase("SUM", "NONE", new[] { "BRANCH_LT" }, false, 2)]
    [TestCase("SUM", "NONE", new[] { "BRANCH_GTE", "BRANCH_GT" }, false, 3)]
    [TestCase("SUM", "NONE", new[] { "BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT" }, false, 4)]
    [TestCase("SUM", "NONE", new[] { "BRANCH_EQ", "BRANCH_NEQ", "BRANCH_LEQ" }, false, 5)]
    [TestCase("AVERAGE", "NONE", new[] { "BRANCH_LEQ", "BRANCH_GT" }, false, 6)]
    [TestCase("MIN", "NONE", new[] { "BRANCH_LEQ", "BRANCH_LT" }, false, 7)]
    [TestCase("MAX", "NONE", new[] { "BRANCH_GTE", "BRANCH_LEQ" }, false, 8)]
    [TestCase("SUM", "NONE", new[] { "BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ" }, false, 10)]
    public void RandomEnsemble_EqualsOnnxRuntime(string aggregate, string post, string[] modes, bool doubleThresholds, int seed) =>
        CompareWithOnnxRuntime(aggregate, post, modes, doubleThresholds, seed, maxDepth: 7, leafChance: 0.3, expectQuickScorer: null);

    /// <summary>Trees of more than 64 leaves take the interleaved walk; trees of at most 64, QuickScorer: both agree with ONNX Runtime.</summary>
    [TestCase(9, 0.0, false, 21)]
    [TestCase(6, 0.0, true, 22)]
    [TestCase(8, 0.15, false, 23)]
    public void BothLayouts_EqualOnnxRuntime(int maxDepth, double leafChance, bool expectQuickScorer, int seed) =>
        CompareWithOnnxRuntime("SUM", "NONE", ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT"], false, seed, maxDepth, leafChance, expectQuickScorer);

    private static void CompareWithOnnxRuntime(string aggregate, string post, string[] modes, bool doubleThresholds, int seed, int maxDepth, double leafChance, bool? expectQuickScorer)
    {
        var random = new Random(seed);
        var (onnx, thresholds) = RandomEnsemble(random, trees: 37, maxDepth, aggregate, post, modes, doubleThresholds, leafChance);
        var rows = Rows(random, thresholds, count: 3000);

        var expected = Engines.OnnxRuntime(onnx, rows, Width);
        using var model = Engines.Trees(onnx, Width);
        var single = new float[expected.Length];
        for (var r = 0; r < single.Length; r++)
        {
            single[r] = model.Score(rows.AsSpan(r * Width, Width), CancellationToken.None);
        }

        var batch = new float[expected.Length];
        model.ScoreBatch(rows, batch, CancellationToken.None);

        var (max, row) = Parity.MaxDifference(expected, single);
        Assert.Multiple(() =>
        {
            if (expectQuickScorer is { } quick)
            {
                Assert.That(((QualityPrediction.Trees.Internal.TreeScoringModel)model).Graph.Ensemble.UsesQuickScorer, Is.EqualTo(quick), "the layout used");
            }

            Assert.That(max, Is.LessThanOrEqualTo(1e-5), $"row {row} [{string.Join(", ", rows.Skip(row * Width).Take(Width))}]: ONNX Runtime {(row >= 0 ? expected[row] : 0):G9}, trees {(row >= 0 ? single[row] : 0):G9}");
            Assert.That(batch, Is.EqualTo(single), "a batch scores every row exactly as a single row does");
        });
    }

    /// <summary>
    /// Double thresholds (<c>nodes_values_as_tensor</c>), which ONNX Runtime 1.31 refuses for float input: the fast
    /// layout (each double threshold rounded to the float that splits floats the same way) against the exact node-by-node
    /// walk in double.
    /// </summary>
    [TestCase(new[] { "BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT" }, 11)]
    [TestCase(new[] { "BRANCH_LEQ", "BRANCH_LT" }, 12)]
    public void DoubleThresholds_FastLayoutEqualsTheExactWalk(string[] modes, int seed)
    {
        var random = new Random(seed);
        var (onnx, thresholds) = RandomEnsemble(random, trees: 37, maxDepth: 7, "SUM", "NONE", modes, doubleThresholds: true);
        var rows = Rows(random, thresholds, count: 3000);
        using var model = (QualityPrediction.Trees.Internal.TreeScoringModel)Engines.Trees(onnx, Width);
        var definition = model.Graph.Ensemble.Definition;
        for (var r = 0; r < rows.Length / Width; r++)
        {
            var row = rows.AsSpan(r * Width, Width);
            Assert.That(model.Score(row, CancellationToken.None), Is.EqualTo(definition.Evaluate(row)).Within(1e-6), $"row {r}");
        }
    }

    [Test]
    public void PostTransformOtherThanNone_IsDeclinedNamingIt()
    {
        var (onnx, _) = RandomEnsemble(new Random(9), trees: 3, maxDepth: 3, "SUM", "LOGISTIC", ["BRANCH_LEQ"], doubleThresholds: false);
        var ex = Assert.Throws<QualityPrediction.Models.UnsupportedModelException>(() => Engines.Trees(onnx, Width));
        Assert.That(ex!.Message, Does.Contain("post_transform 'LOGISTIC'"));
    }

    /// <summary>A random ensemble; thresholds are drawn from a small set so that inputs can sit exactly on them.</summary>
    private static (byte[] Onnx, float[] Thresholds) RandomEnsemble(Random random, int trees, int maxDepth, string aggregate, string post, string[] modes, bool doubleThresholds, double leafChance = 0.3)
    {
        var thresholds = Enumerable.Range(0, 12).Select(_ => (float)Math.Round((random.NextDouble() * 4) - 2, 2)).Append(0f).Append(float.PositiveInfinity).ToArray();
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var features = new List<long>();
        var nodeModes = new List<string>();
        var values = new List<double>();
        var trues = new List<long>();
        var falses = new List<long>();
        var missing = new List<long>();
        var targetTrees = new List<long>();
        var targetNodes = new List<long>();
        var weights = new List<float>();
        for (var t = 0; t < trees; t++)
        {
            var next = 0;
            void Grow(int id, int depth)
            {
                var leaf = depth >= maxDepth || (depth > 0 && random.NextDouble() < leafChance);
                treeIds.Add(t);
                nodeIds.Add(id);
                if (leaf)
                {
                    features.Add(0);
                    nodeModes.Add("LEAF");
                    values.Add(0);
                    trues.Add(0);
                    falses.Add(0);
                    missing.Add(0);
                    targetTrees.Add(t);
                    targetNodes.Add(id);
                    weights.Add((float)((random.NextDouble() * 2) - 1));
                    return;
                }

                var left = ++next;
                var right = ++next;
                features.Add(random.Next(Width));
                nodeModes.Add(modes[random.Next(modes.Length)]);
                var threshold = thresholds[random.Next(thresholds.Length)];
                values.Add(doubleThresholds && random.Next(2) == 0 ? threshold + ((random.NextDouble() - 0.5) * 1e-9) : threshold);
                trues.Add(left);
                falses.Add(right);
                missing.Add(random.Next(2));
                Grow(left, depth + 1);
                Grow(right, depth + 1);
            }

            Grow(0, 0);
        }

        var attributes = new List<(string, object)>
        {
            ("n_targets", 1L),
            ("aggregate_function", aggregate),
            ("post_transform", post),
            ("base_values", new[] { 0.25f }),
            ("nodes_treeids", treeIds.ToArray()),
            ("nodes_nodeids", nodeIds.ToArray()),
            ("nodes_featureids", features.ToArray()),
            ("nodes_modes", nodeModes.ToArray()),
            ("nodes_truenodeids", trues.ToArray()),
            ("nodes_falsenodeids", falses.ToArray()),
            ("nodes_missing_value_tracks_true", missing.ToArray()),
            ("target_treeids", targetTrees.ToArray()),
            ("target_nodeids", targetNodes.ToArray()),
            ("target_ids", new long[targetTrees.Count]),
            ("target_weights", weights.ToArray()),
        };
        attributes.Add(doubleThresholds ? ("nodes_values_as_tensor", values.ToArray()) : ("nodes_values", values.Select(v => (float)v).ToArray()));
        var onnx = new OnnxGraphBuilder(Width)
            .Node("TreeEnsembleRegressor", "ai.onnx.ml", ["Features"], ["Score"], [.. attributes])
            .Node("Identity", "", ["Score"], ["Score.output"])
            .Build();
        return (onnx, thresholds);
    }

    private static float[] Rows(Random random, float[] thresholds, int count)
    {
        var rows = new float[count * Width];
        for (var i = 0; i < rows.Length; i++)
        {
            var t = thresholds[random.Next(thresholds.Length)];
            rows[i] = random.Next(10) switch
            {
                0 => float.NaN,
                1 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                2 => MathF.BitIncrement(t),
                3 => MathF.BitDecrement(t),
                4 or 5 => t,
                _ => (float)((random.NextDouble() * 5) - 2.5),
            };
        }

        // Some rows without NaN at all, so the fast walk is exercised as much as the exact one.
        for (var r = 0; r < count; r += 2)
        {
            for (var c = 0; c < Width; c++)
            {
                if (float.IsNaN(rows[(r * Width) + c]))
                {
                    rows[(r * Width) + c] = thresholds[random.Next(thresholds.Length)];
                }
            }
        }

        return rows;
    }
}
