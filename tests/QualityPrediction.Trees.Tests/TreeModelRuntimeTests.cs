using QualityPrediction.Models;
using QualityPrediction.Onnx;
using QualityPrediction.Trees.Internal;
using QualityPrediction.Trees.Tests.TestSupport;

namespace QualityPrediction.Trees.Tests;

[TestFixture]
public sealed class TreeModelRuntimeTests
{
    private static IEnumerable<TestCaseData> TrainedModels()
    {
        yield return new TestCaseData("wine-fasttree", true).SetName("Parity_WineFastTree100_EqualsOnnxRuntime");
        yield return new TestCaseData("wine-lightgbm-1200", false).SetName("Parity_WineLightGbm1200Trees_EqualsOnnxRuntime");
        yield return new TestCaseData("wine-fastforest", null).SetName("Parity_WineFastForest_EqualsOnnxRuntime");
        yield return new TestCaseData("categorical-lightgbm", null).SetName("Parity_CategoricalLightGbmWithCrosses_EqualsOnnxRuntime");
    }

    [TestCaseSource(nameof(TrainedModels))]
    public void Parity(string name, bool? binTable)
    {
        var artifact = Artifact(name);
        using var trees = (TreeScoringModel)new TreeModelRuntime().Load(artifact.Manifest, artifact.OnnxArtifact, artifact.OnnxBytes, new ModelRuntimeOptions());
        var rows = TestSupport.Parity.Rows(artifact, trees.Graph, generated: 2000, seed: 5);
        var width = trees.InputLength;
        var expected = TestSupport.Parity.OnnxRuntimeScores(artifact, rows);

        var single = new float[expected.Length];
        for (var r = 0; r < single.Length; r++)
        {
            single[r] = trees.Score(rows.AsSpan(r * width, width), CancellationToken.None);
        }

        var batch = new float[expected.Length];
        trees.ScoreBatch(rows, batch, CancellationToken.None);

        var tolerance = 1e-5 * artifact.Manifest.Target.Range.Width;
        var (max, row) = TestSupport.Parity.MaxDifference(expected, single);
        var ensemble = trees.Graph.Ensemble;
        TestContext.Out.WriteLine($"{name}: {expected.Length} rows, {ensemble.Definition.Trees.Length} trees (QuickScorer {ensemble.UsesQuickScorer}, bin table {ensemble.UsesBinTable}), max |ORT - trees| = {max:G3} (row {row}), tolerance {tolerance:G3}");
        Assert.Multiple(() =>
        {
            if (binTable is { } expectBins)
            {
                Assert.That((ensemble.UsesQuickScorer, ensemble.UsesBinTable), Is.EqualTo((true, expectBins)), "the path that scored: both are checked against ONNX Runtime");
            }

            Assert.That(max, Is.LessThanOrEqualTo(tolerance), $"row {row}: ONNX Runtime {(row >= 0 ? expected[row] : 0):G9}, trees {(row >= 0 ? single[row] : 0):G9}");
            Assert.That(batch, Is.EqualTo(single), "a batch scores every row exactly as a single row does");
        });
    }

    [Test]
    public void Load_TrainerSdcaModel_DeclinesNamingTheLinearOperator()
    {
        var artifact = TrainedArtifacts.WineSdca;
        var ex = Assert.Throws<UnsupportedModelException>(() => new TreeModelRuntime().Load(artifact.Manifest, artifact.OnnxArtifact, artifact.OnnxBytes, new ModelRuntimeOptions()));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.File, Is.EqualTo(artifact.OnnxArtifact.File));
            Assert.That(ex.Message, Does.Contain("'ai.onnx.ml.LinearRegressor'").And.Contain("not supported"));
        });
    }

    [Test]
    public void Runtime_IsNamedTreesAndReadsOnnxArtifacts()
    {
        IModelRuntime runtime = new TreeModelRuntime();
        Assert.That((runtime.Name, runtime.Format), Is.EqualTo(("trees", "onnx")));
    }

    private static TrainedArtifacts.Artifact Artifact(string name) => name switch
    {
        "wine-fasttree" => TrainedArtifacts.WineFastTree,
        "wine-lightgbm-1200" => TrainedArtifacts.WineLightGbm1200,
        "wine-fastforest" => TrainedArtifacts.WineFastForest,
        _ => TrainedArtifacts.Categorical,
    };
}
