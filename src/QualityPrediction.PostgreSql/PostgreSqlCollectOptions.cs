namespace QualityPrediction.PostgreSql;

/// <summary>
/// How <see cref="PostgreSqlCollector"/> turns the rows of a PostgreSQL table or query into training records: which column
/// is the target (and how to rescale it), which columns become features (and under which names), and which column
/// identifies a row, so that each labelled row is collected exactly once.
/// </summary>
/// <example>
/// Tables shaped like the old Supabase ones, with <c>quality_score</c> in 0–1:
/// <code>
/// new PostgreSqlCollectOptions
/// {
///     Table = "public.generations",
///     TargetColumn = "quality_score",
///     TargetScale = 100,
///     KeyColumn = "id",
///     Features = { ["provider"] = "provider", ["model"] = "model", ["action_type"] = "actionType", ["scenario_id"] = "scenarioId" },
/// };
/// </code>
/// </example>
public sealed class PostgreSqlCollectOptions
{
    /// <summary>Gets or sets the table (optionally schema-qualified, plain identifiers only); exclusive with <see cref="Query"/>.</summary>
    public string? Table { get; set; }

    /// <summary>Gets or sets a <c>SELECT</c> query whose result is collected (it is wrapped as a subquery); exclusive with
    /// <see cref="Table"/>. It must return the row version of the table row that holds the target as a column named
    /// <c>xmin</c> (e.g. <c>SELECT r.xmin, r.id, r.score, g.provider FROM ratings r JOIN generations g ON …</c>), which
    /// is how a collection finds rows inserted, labelled or changed since the last one.</summary>
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

    /// <summary>Gets or sets the columns that become features, mapped to their feature names; when empty, every column except the target, the key and <c>xmin</c> becomes a feature under its own name.</summary>
    public IDictionary<string, string> Features { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the column that identifies a row (its primary key, e.g. an identity id): a row is collected
    /// once, the first time a collection sees it with a target, and never again (even when it changes later). It also
    /// orders the rows a collection appends. Its values must be unique; they need not increase.</summary>
    /// <value>Required; no default.</value>
    public string KeyColumn { get; set; } = "";
}
