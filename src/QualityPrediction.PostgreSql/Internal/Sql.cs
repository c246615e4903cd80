namespace QualityPrediction.PostgreSql.Internal;

/// <summary>The store's SQL, per schema.</summary>
internal sealed class Sql(string schema)
{
    public const int SchemaVersion = 2;

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
        INSERT INTO "{schema}".quality_schema_version (version) VALUES (1) ON CONFLICT (version) DO NOTHING;
        -- Version 2: one sequence numbers predictions and outcomes, so a row's collection position is the later of its two
        -- halves (an outcome may be stored before its prediction). Rows stored before it keep their outcome's seq; their
        -- predictions get 0.
        CREATE SEQUENCE IF NOT EXISTS {Sequence};
        DO $migrate$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM "{schema}".quality_schema_version WHERE version = 2) THEN
                ALTER TABLE {Outcomes} ALTER COLUMN seq DROP IDENTITY IF EXISTS;
                PERFORM setval('{Sequence}', (SELECT coalesce(max(seq), 0) + 1 FROM {Outcomes}), false);
                ALTER TABLE {Outcomes} ALTER COLUMN seq SET DEFAULT nextval('{Sequence}');
                ALTER TABLE {Predictions} ADD COLUMN IF NOT EXISTS seq bigint NOT NULL DEFAULT 0;
                ALTER TABLE {Predictions} ALTER COLUMN seq SET DEFAULT nextval('{Sequence}');
                INSERT INTO "{schema}".quality_schema_version (version) VALUES (2);
            END IF;
        END
        $migrate$;
        CREATE INDEX IF NOT EXISTS quality_predictions_seq_idx ON {Predictions} (seq);
        """;

    /// <summary>The sequence that numbers predictions and outcomes (schema version 2).</summary>
    public string Sequence { get; } = $"\"{schema}\".quality_feedback_seq";

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

    /// <summary>The rows that became complete after @after and by @upto: a row's position is the later of its prediction's and its outcome's seq (one sequence numbers both, so they never tie).</summary>
    public string ReadJoined => $"""
        SELECT o.seq AS position, p.prediction_id, p.predictor, p.context::text, p.score, p.confidence, p.source, p.model_name, p.model_version,
               p.created_at, p.selection_probability, o.observed, o.observed_at
        FROM {Outcomes} o JOIN {Predictions} p ON p.prediction_id = o.prediction_id
        WHERE o.seq > @after AND o.seq <= @upto AND p.seq < o.seq
        UNION ALL
        SELECT p.seq AS position, p.prediction_id, p.predictor, p.context::text, p.score, p.confidence, p.source, p.model_name, p.model_version,
               p.created_at, p.selection_probability, o.observed, o.observed_at
        FROM {Predictions} p JOIN {Outcomes} o ON o.prediction_id = p.prediction_id
        WHERE p.seq > @after AND p.seq <= @upto AND o.seq < p.seq
        ORDER BY position
        """;

    /// <summary>
    /// Waits for the inserts in flight into either table and returns the highest seq: every row up to it is committed, and
    /// later inserts get higher numbers. Each wait is short (a writer that inserts into both tables in one transaction
    /// could otherwise deadlock with it): the caller retries on lock_not_available, so writers are never the victim.
    /// </summary>
    public string SettledSeq => $"""
        SET LOCAL lock_timeout = '100ms';
        LOCK TABLE {Predictions} IN SHARE MODE;
        LOCK TABLE {Outcomes} IN SHARE MODE;
        SELECT greatest((SELECT coalesce(max(seq), 0) FROM {Predictions}), (SELECT coalesce(max(seq), 0) FROM {Outcomes}));
        """;

    /// <summary>Without the privilege to lock: the highest seq among rows inserted more than @lag before now (see <see cref="PostgreSqlFeedbackStoreOptions.UnlockedReadLag"/>).</summary>
    public string LaggedSeq => $"""
        SELECT greatest(
            (SELECT coalesce(max(seq), 0) FROM {Predictions} WHERE inserted_at < now() - @lag),
            (SELECT coalesce(max(seq), 0) FROM {Outcomes} WHERE inserted_at < now() - @lag))
        """;

    /// <summary>The position of the row @n places from the most recent (for a window of the latest rows); 0 when there are fewer.</summary>
    public string NthLatestPosition => $"""
        SELECT coalesce((SELECT greatest(p.seq, o.seq) FROM {Outcomes} o JOIN {Predictions} p ON p.prediction_id = o.prediction_id
                         ORDER BY greatest(p.seq, o.seq) DESC OFFSET @n LIMIT 1), 0)
        """;

    /// <summary>The rows complete by now whose position is after @after (not collected yet).</summary>
    public string CountAfter => $"""
        SELECT count(*) FROM {Outcomes} o JOIN {Predictions} p ON p.prediction_id = o.prediction_id WHERE greatest(p.seq, o.seq) > @after
        """;

    /// <summary>Which of @ids have a prediction, and which an outcome.</summary>
    public string FindStored => $"""
        SELECT prediction_id, 0 FROM {Predictions} WHERE prediction_id = ANY(@ids)
        UNION ALL
        SELECT prediction_id, 1 FROM {Outcomes} WHERE prediction_id = ANY(@ids)
        """;

    public string Counts => $"""
        SELECT (SELECT count(*) FROM {Predictions}),
               (SELECT count(*) FROM {Outcomes}),
               (SELECT count(*) FROM {Outcomes} o JOIN {Predictions} p ON p.prediction_id = o.prediction_id)
        """;

    public string Version => $"""SELECT max(version) FROM "{schema}".quality_schema_version""";
}
