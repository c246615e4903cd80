using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Trees.Internal;

namespace QualityPrediction.Trees.Tests.TestSupport;

/// <summary>Scores the same encoded rows with ONNX Runtime and with the tree runtime.</summary>
internal static class Parity
{
    /// <summary>The rows a parity check scores: every training row, generated rows around and beyond the training ranges, and rows that sit exactly on, just above and just below every threshold.</summary>
    public static float[] Rows(TrainedArtifacts.Artifact artifact, TreeGraph graph, int generated, int seed)
    {
        var encoder = artifact.Encoder;
        var width = encoder.Length;
        var training = new float[artifact.Data.Count * width];
        encoder.EncodeBatch([.. artifact.Data.Contexts], training);
        var rows = new List<float>(training);
        var random = new Random(seed);

        // Column ranges of the training matrix, widened by half their span.
        var min = new float[width];
        var max = new float[width];
        Array.Fill(min, float.MaxValue);
        Array.Fill(max, float.MinValue);
        for (var r = 0; r < artifact.Data.Count; r++)
        {
            for (var c = 0; c < width; c++)
            {
                min[c] = Math.Min(min[c], training[(r * width) + c]);
                max[c] = Math.Max(max[c], training[(r * width) + c]);
            }
        }

        for (var g = 0; g < generated; g++)
        {
            for (var c = 0; c < width; c++)
            {
                var span = Math.Max(1e-3f, max[c] - min[c]);
                rows.Add(random.Next(4) == 0 ? training[(random.Next(artifact.Data.Count) * width) + c] : (float)(min[c] - (span / 2) + (random.NextDouble() * span * 2)));
            }
        }

        // Every threshold the trees test, as the input exactly and one float either side (only for graphs without feature steps, where the tree sees the input as is).
        if (graph.FeatureSteps.Length == 0)
        {
            foreach (var tree in graph.Ensemble.Definition.Trees)
            {
                for (var i = 0; i < tree.NodeCount; i++)
                {
                    if (tree.Modes[i] == QualityPrediction.Trees.Internal.Scoring.NodeMode.Leaf || random.Next(3) != 0)
                    {
                        continue;
                    }

                    var t = (float)tree.Thresholds[i];
                    foreach (var value in new[] { t, MathF.BitIncrement(t), MathF.BitDecrement(t) })
                    {
                        var baseRow = random.Next(artifact.Data.Count);
                        for (var c = 0; c < width; c++)
                        {
                            rows.Add(c == tree.Features[i] ? value : training[(baseRow * width) + c]);
                        }
                    }
                }
            }
        }

        return [.. rows];
    }

    /// <summary>Scores <paramref name="rows"/> with ONNX Runtime (one intra-op thread, one row at a time).</summary>
    public static float[] OnnxRuntimeScores(TrainedArtifacts.Artifact artifact, float[] rows)
    {
        var width = artifact.Encoder.Length;
        using var model = new OnnxModelRuntime().Load(artifact.Manifest, artifact.OnnxArtifact, artifact.OnnxBytes, new ModelRuntimeOptions());
        var scores = new float[rows.Length / width];
        for (var r = 0; r < scores.Length; r++)
        {
            scores[r] = model.Score(rows.AsSpan(r * width, width), CancellationToken.None);
        }

        return scores;
    }

    public static (double Max, int Row) MaxDifference(float[] expected, float[] actual)
    {
        double max = 0;
        var row = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = Math.Abs((double)expected[i] - actual[i]);
            if (!(d <= max))
            {
                max = double.IsNaN(d) ? double.PositiveInfinity : d;
                row = i;
            }
        }

        return (max, row);
    }
}
