namespace QualityPrediction.Trees.Internal.Scoring;

/// <summary>The node modes of <c>ai.onnx.ml.TreeEnsembleRegressor</c>: the condition under which a node takes its true branch.</summary>
internal enum NodeMode : byte
{
    /// <summary><c>x &lt;= threshold</c>.</summary>
    BranchLeq,

    /// <summary><c>x &lt; threshold</c>.</summary>
    BranchLt,

    /// <summary><c>x &gt;= threshold</c>.</summary>
    BranchGte,

    /// <summary><c>x &gt; threshold</c>.</summary>
    BranchGt,

    /// <summary><c>x == threshold</c>.</summary>
    BranchEq,

    /// <summary><c>x != threshold</c>.</summary>
    BranchNeq,

    /// <summary>A leaf.</summary>
    Leaf,
}
