namespace QualityPrediction.PostgreSql.Internal;

/// <summary>The store's SQL, per schema.</summary>
internal sealed class Sql(string schema)
{
    public const int SchemaVersion = 1;

    public string Predictions { get; } = $"\"{schema}\".quality_predictions";

    public string Outcomes { get; } = $"\"{schema}\".quality_outcomes";

    public string Migrate => $"""
        SELECT pg_advisory_xact_lock(hashtext('quality_prediction.migrate'));
        CREATE SCHEMA IF NOT EXISTS "{schema}";
        CREATE TABLE IF NOT EXISTS "{schema}".quality_schema_version (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS {Predictions} (
            prediction_id uuid PRIMARY KEY,
            predictor text NOT NULL DEFAULT '',
            context jsonb NOT NULL,
            score double precision NOT NULL,
            confidence double precision NOT NULL,
            source text NOT NULL,
            model_name text NULL,
            model_version text NULL,
            created_at timestamptz NOT NULL,
            selection_probability double precision NULL,
            inserted_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX IF NOT EXISTS quality_predictions_created_at_idx ON {Predictions} (created_at);
        CREATE INDEX IF NOT EXISTS quality_predictions_model_idx ON {Predictions} (model_name, model_version);
        CREATE TABLE IF NOT EXISTS {Outcomes} (
            prediction_id uuid PRIMARY KEY,
            observed double precision NOT NULL,
            observed_at timestamptz NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            inserted_at timestamptz NOT NULL DEFAULT now());
        CREATE UNIQUE INDEX IF NOT EXISTS quality_outcomes_seq_idx ON {Outcomes} (seq);
        INSERT INTO "{schema}".quality_schema_version (version) VALUES ({SchemaVersion}) ON CONFLICT (version) DO NOTHING;
        """;

    public string InsertPredictions => $"""
        INSERT INTO {Predictions} (prediction_id, predictor, context, score, confidence, source, model_name, model_version, created_at, selection_probability)
        SELECT * FROM unnest(@id, @predictor, @context::jsonb[], @score, @confidence, @source, @model_name, @model_version, @created_at, @selection_probability)
        ON CONFLICT (prediction_id) DO NOTHING
        """;

    public string InsertOutcomes => $"""
        INSERT INTO {Outcomes} (prediction_id, observed, observed_at)
        SELECT * FROM unnest(@id, @observed, @observed_at)
        ON CONFLICT (prediction_id) DO NOTHING
        """;

    public string ReadJoined => $"""
        SELECT o.seq, p.prediction_id, p.predictor, p.context::text, p.score, p.confidence, p.source, p.model_name, p.model_version,
               p.created_at, p.selection_probability, o.observed, o.observed_at
        FROM {Outcomes} o JOIN {Predictions} p ON p.prediction_id = o.prediction_id
        WHERE o.seq > @after AND o.seq <= @upto
        ORDER BY o.seq
        """;

    /// <summary>Waits for the outcome inserts in flight and returns the highest seq: every row up to it is committed, and later inserts get higher numbers.</summary>
    public string SettledSeq => $"""
        SET LOCAL lock_timeout = '10s';
        LOCK TABLE {Outcomes} IN SHARE MODE;
        SELECT coalesce(max(seq), 0) FROM {Outcomes};
        """;

    public string MaxSeq => $"SELECT coalesce(max(seq), 0) FROM {Outcomes}";

    public string Counts => $"""
        SELECT (SELECT count(*) FROM {Predictions}),
               (SELECT count(*) FROM {Outcomes}),
               (SELECT count(*) FROM {Outcomes} o JOIN {Predictions} p ON p.prediction_id = o.prediction_id)
        """;

    public string Version => $"""SELECT max(version) FROM "{schema}".quality_schema_version""";
}
