namespace QualityPrediction.PostgreSql;

/// <summary>
/// How <see cref="PostgreSqlCollector"/> turns the rows of a PostgreSQL table or query into training records: which column
/// is the target (and how to rescale it), which columns become features (and under which names), and which column orders
/// the rows for incremental collection.
/// </summary>
/// <example>
/// Tables shaped like the old Supabase ones, with <c>quality_score</c> in 0–1:
/// <code>
/// new PostgreSqlCollectOptions
/// {
///     Table = "public.generations",
///     TargetColumn = "quality_score",
///     TargetScale = 100,
///     WatermarkColumn = "id",
///     Features = { ["provider"] = "provider", ["model"] = "model", ["action_type"] = "actionType", ["scenario_id"] = "scenarioId" },
/// };
/// </code>
/// </example>
public sealed class PostgreSqlCollectOptions
{
    /// <summary>Gets or sets the table (optionally schema-qualified, plain identifiers only); exclusive with <see cref="Query"/>.</summary>
    public string? Table { get; set; }

    /// <summary>Gets or sets a <c>SELECT</c> query whose result is collected (it is wrapped as a subquery); exclusive with <see cref="Table"/>.</summary>
    public string? Query { get; set; }

    /// <summary>Gets or sets the column holding the observed quality.</summary>
    /// <value>The default is <c>quality_score</c>.</value>
    public string TargetColumn { get; set; } = "quality_score";

    /// <summary>Gets or sets the factor the target is multiplied by (e.g. 100 to turn 0–1 into 0–100).</summary>
    /// <value>The default is 1.</value>
    public double TargetScale { get; set; } = 1;

    /// <summary>Gets or sets the name of the target in the output records.</summary>
    /// <value>The default is <c>quality</c>.</value>
    public string TargetName { get; set; } = "quality";

    /// <summary>Gets or sets the columns that become features, mapped to their feature names; when empty, every column except the target and the watermark column becomes a feature under its own name.</summary>
    public IDictionary<string, string> Features { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the column that orders rows for incremental collection: each run reads only rows whose value is greater than the last one collected. Use a strictly increasing column (an identity or serial id); with a timestamp, rows sharing the last collected value and inserted later are missed.</summary>
    /// <value>Required; no default.</value>
    public string WatermarkColumn { get; set; } = "";
}
