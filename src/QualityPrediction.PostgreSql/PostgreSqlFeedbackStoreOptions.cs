using System.ComponentModel.DataAnnotations;

namespace QualityPrediction.PostgreSql;

/// <summary>Options of the <see cref="PostgreSqlFeedbackStore"/>.</summary>
public sealed class PostgreSqlFeedbackStoreOptions
{
    /// <summary>Gets or sets the Npgsql connection string. Read it from configuration or the environment, never from code.</summary>
    /// <value>Required; no default.</value>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>Gets or sets the schema holding the tables; created by the migration when missing.</summary>
    /// <value>The default is <c>public</c>.</value>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$")]
    public string Schema { get; set; } = "public";

    /// <summary>Gets or sets the timeout of each command.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how far behind a collection reads when the database user may not lock the tables (see
    /// <see cref="PostgreSqlFeedbackStore.GetPositionAsync"/>): only rows inserted longer ago than this are read, which never
    /// skips a row as long as every insert transaction commits within half of it.</summary>
    /// <value>The default is 5 minutes.</value>
    public TimeSpan UnlockedReadLag { get; set; } = TimeSpan.FromMinutes(5);
}
