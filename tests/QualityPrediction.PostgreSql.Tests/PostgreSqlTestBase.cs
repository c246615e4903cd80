using Npgsql;
using QualityPrediction.Feedback;

namespace QualityPrediction.PostgreSql.Tests;

/// <summary>Per test: a data source on the QUALITY_PG server, a fresh schema, a migrated store, and a temporary folder.</summary>
public abstract class PostgreSqlTestBase
{
    protected static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    protected NpgsqlDataSource DataSource { get; private set; } = null!;

    protected string Schema { get; private set; } = null!;

    protected PostgreSqlFeedbackStore Store { get; private set; } = null!;

    protected string Folder { get; private set; } = null!;

    [SetUp]
    public async Task SetUpDatabase()
    {
        var connectionString = PostgreSqlTestDatabase.RequireConnectionString();
        DataSource = NpgsqlDataSource.Create(connectionString);
        Schema = PostgreSqlTestDatabase.NewSchema();
        Store = new PostgreSqlFeedbackStore(DataSource, Schema);
        await Store.MigrateAsync();
        Folder = Path.Combine(Path.GetTempPath(), "qp-pg-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    [TearDown]
    public async Task TearDownDatabase()
    {
        if (DataSource is null)
        {
            return;
        }

        try
        {
            await PostgreSqlTestDatabase.DropSchemaAsync(DataSource, Schema);
        }
        finally
        {
            await Store.DisposeAsync();
            await DataSource.DisposeAsync();
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
    }

    protected static PredictionRecord Prediction(int i) => new()
    {
        PredictionId = Guid.NewGuid(),
        Predictor = "",
        Features = new Dictionary<string, FeatureValue> { ["provider"] = i % 2 == 0 ? "openai" : "anthropic", ["statValue"] = i },
        Score = 50 + (i % 10),
        Confidence = 0.7,
        Source = i % 3 == 0 ? PredictionSource.Heuristic : PredictionSource.Model,
        ModelName = "quality",
        ModelVersion = i % 3 == 0 ? null : "0001",
        Timestamp = Start.AddSeconds(i),
        SelectionProbability = i % 5 == 0 ? 0.5 : null,
    };

    protected static OutcomeRecord Outcome(PredictionRecord prediction, double observed) =>
        new(prediction.PredictionId, observed, prediction.Timestamp.AddMinutes(1));

    protected async Task<long> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
