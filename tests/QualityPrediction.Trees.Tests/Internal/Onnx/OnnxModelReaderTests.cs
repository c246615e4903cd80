using QualityPrediction.Models;
using QualityPrediction.Trees.Internal.Onnx;
using QualityPrediction.Trees.Tests.TestSupport;

namespace QualityPrediction.Trees.Tests.Internal.Onnx;

/// <summary>The protobuf reader on hostile bytes: every refusal is an <see cref="OnnxFormatException"/> that names the offset.</summary>
[TestFixture]
public sealed class OnnxModelReaderTests
{
    [Test]
    public void Read_TrainerArtifact_FindsTheEnsembleAndTheInput()
    {
        var model = OnnxModelReader.Read(TrainedArtifacts.WineFastTree.OnnxBytes);
        Assert.Multiple(() =>
        {
            Assert.That(model.Graph.Inputs.Select(i => i.Name), Does.Contain("Features"));
            Assert.That(model.Graph.Nodes.Select(n => n.QualifiedOpType), Does.Contain("ai.onnx.ml.TreeEnsembleRegressor"));
            Assert.That(model.Opsets.Keys, Does.Contain("ai.onnx.ml"));
        });
    }

    [TestCase(new byte[0], "empty")]
    [TestCase(new byte[] { 0x3A, 0x80 }, "varint runs past")]
    [TestCase(new byte[] { 0x3A, 0x05, 0x0A }, "runs past the end")]
    [TestCase(new byte[] { 0x0B }, "group")]
    [TestCase(new byte[] { 0x0E }, "unknown wire type")]
    [TestCase(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "overflows 64 bits")]
    [TestCase(new byte[] { 0x08, 0x01 }, "no graph")]
    [TestCase(new byte[] { 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, "runs past the end")]
    public void Read_MalformedBytes_RefusedWithTheReason(byte[] bytes, string reason)
    {
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(bytes));
        Assert.That(ex!.Message, Does.Contain(reason));
    }

    [Test]
    public void Read_TensorWhoseShapeOverflows_IsRefusedBeforeAllocating()
    {
        // An initializer claiming [2^31, 2^31] floats with four bytes of data.
        var bytes = new ProtoWriter().Message(7, g => g.Message(5, t => t.PackedInts(1, [1L << 31, 1L << 31]).Varint(2, 1).Bytes(9, new byte[4]).String(8, "w"))).ToArray();
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(bytes));
        Assert.That(ex!.Message, Does.Contain("the tensor 'w' has the shape"));
    }

    [Test]
    public void Runtime_MalformedArtifact_IsAModelLoadExceptionNamingTheFile()
    {
        var bytes = TrainedArtifacts.WineFastTree.OnnxBytes[..^7];
        var ex = Assert.Throws<ModelLoadException>(() => Engines.Trees(bytes, 11));
        Assert.Multiple(() =>
        {
            Assert.That(ex, Is.Not.InstanceOf<UnsupportedModelException>(), "a broken file is not a matter of support");
            Assert.That(ex!.Message, Does.StartWith("test.onnx: not a well-formed ONNX model: at byte"));
        });
    }

    [Test]
    public void Runtime_CyclicTree_IsRefused()
    {
        var onnx = new OnnxGraphBuilder(2)
            .Node("TreeEnsembleRegressor", "ai.onnx.ml", ["Features"], ["Score.output"],
                ("nodes_treeids", new long[] { 0, 0 }),
                ("nodes_nodeids", new long[] { 0, 1 }),
                ("nodes_featureids", new long[] { 0, 1 }),
                ("nodes_modes", new[] { "BRANCH_LEQ", "BRANCH_LEQ" }),
                ("nodes_values", new[] { 0.5f, 0.5f }),
                ("nodes_truenodeids", new long[] { 1, 0 }),
                ("nodes_falsenodeids", new long[] { 1, 1 }),
                ("target_treeids", new long[] { 0 }),
                ("target_nodeids", new long[] { 1 }),
                ("target_ids", new long[] { 0 }),
                ("target_weights", new[] { 1f }))
            .Build();
        var ex = Assert.Throws<ModelLoadException>(() => Engines.Trees(onnx, 2));
        Assert.That(ex!.Message, Does.Contain("reaches node").Or.Contain("not a leaf"));
    }

    [Test]
    public void Runtime_FeatureOutsideTheInput_IsRefused()
    {
        var onnx = new OnnxGraphBuilder(2)
            .Node("TreeEnsembleRegressor", "ai.onnx.ml", ["Features"], ["Score.output"],
                ("nodes_treeids", new long[] { 0, 0, 0 }),
                ("nodes_nodeids", new long[] { 0, 1, 2 }),
                ("nodes_featureids", new long[] { 7, 0, 0 }),
                ("nodes_modes", new[] { "BRANCH_LEQ", "LEAF", "LEAF" }),
                ("nodes_values", new[] { 0.5f, 0, 0 }),
                ("nodes_truenodeids", new long[] { 1, 0, 0 }),
                ("nodes_falsenodeids", new long[] { 2, 0, 0 }),
                ("target_treeids", new long[] { 0, 0 }),
                ("target_nodeids", new long[] { 1, 2 }),
                ("target_ids", new long[] { 0, 0 }),
                ("target_weights", new[] { 1f, 2f }))
            .Build();
        var ex = Assert.Throws<ModelLoadException>(() => Engines.Trees(onnx, 2));
        Assert.That(ex!.Message, Does.Contain("tests feature 7, outside the input's 2 features"));
    }

    [Test]
    public void Runtime_InputNameDiffersFromTheManifest_IsALoadErrorNotUnsupported()
    {
        var onnx = new OnnxGraphBuilder(2) { InputName = "X" }.Node("Identity", "", ["X"], ["Score.output"]).Build();
        var ex = Assert.Throws<ModelLoadException>(() => Engines.Trees(onnx, 2));
        Assert.Multiple(() =>
        {
            Assert.That(ex, Is.Not.InstanceOf<UnsupportedModelException>());
            Assert.That(ex!.Message, Does.Contain("the manifest expects exactly one input named 'Features'"));
        });
    }
}
