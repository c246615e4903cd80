using QualityPrediction.Feedback;

namespace QualityPrediction.PostgreSql.Tests;

public class PostgreSqlFeedbackStoreTests : PostgreSqlTestBase
{
    [Test]
    public async Task Migration_is_idempotent_and_safe_to_run_concurrently()
    {
        Assert.That(await Store.MigrateAsync(), Is.EqualTo(2));
        var versions = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Store.MigrateAsync()));
        Assert.That(versions, Has.All.EqualTo(2));

        Assert.That(await ScalarAsync($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{Schema}'"), Is.EqualTo(3));
        var indexes = await ScalarAsync($"SELECT count(*) FROM pg_indexes WHERE schemaname = '{Schema}' AND indexname IN ('quality_predictions_created_at_idx', 'quality_predictions_model_idx', 'quality_outcomes_seq_idx', 'quality_predictions_seq_idx')");
        Assert.That(indexes, Is.EqualTo(4));
        Assert.That(await ScalarAsync($"SELECT count(*) FROM \"{Schema}\".quality_schema_version"), Is.EqualTo(2));
    }

    [Test]
    public async Task Round_trips_records_with_jsonb_context_and_nullable_fields()
    {
        var predictions = Enumerable.Range(0, 6).Select(Prediction).ToList();
        await Store.WritePredictionsAsync(predictions);
        await Store.WriteOutcomesAsync([Outcome(predictions[0], 61.5), Outcome(predictions[5], 40)]);

        var rows = await Store.ReadJoinedAsync().ToListAsync();
        Assert.That(rows, Has.Count.EqualTo(2));
        var first = rows[0];
        Assert.Multiple(() =>
        {
            Assert.That(first.Prediction.PredictionId, Is.EqualTo(predictions[0].PredictionId));
            Assert.That(first.Prediction.Features["provider"], Is.EqualTo((FeatureValue)"openai"));
            Assert.That(first.Prediction.Features["statValue"], Is.EqualTo((FeatureValue)0));
            Assert.That(first.Prediction.Source, Is.EqualTo(PredictionSource.Heuristic));
            Assert.That(first.Prediction.ModelVersion, Is.Null);
            Assert.That(first.Prediction.SelectionProbability, Is.EqualTo(0.5));
            Assert.That(first.Prediction.Timestamp, Is.EqualTo(predictions[0].Timestamp));
            Assert.That(first.Outcome.Observed, Is.EqualTo(61.5));
            Assert.That(rows[1].Prediction.ModelVersion, Is.EqualTo("0001"));
        });
        var position = await Store.GetPositionAsync();
        Assert.That(await Store.ReadJoinedAsync(position).CountAsync(), Is.Zero);
        await Store.WriteOutcomesAsync([Outcome(predictions[3], 1)]);
        Assert.That(await Store.ReadJoinedAsync(position).Select(r => r.Prediction.PredictionId).ToListAsync(), Is.EqualTo(new[] { predictions[3].PredictionId }));
        Assert.That(await Store.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(6, 3, 3)));
    }

    [Test]
    public async Task Parallel_batches_with_retries_store_every_record_exactly_once()
    {
        const int producers = 8, perProducer = 400, batch = 50;
        var all = Enumerable.Range(0, producers * perProducer).Select(Prediction).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, producers), async (p, ct) =>
        {
            var mine = all.Skip(p * perProducer).Take(perProducer).ToList();
            foreach (var chunk in mine.Chunk(batch))
            {
                await Store.WritePredictionsAsync(chunk, ct);
                await Store.WriteOutcomesAsync(chunk.Select(r => Outcome(r, r.Score)).ToList(), ct);
                await Store.WritePredictionsAsync(chunk, ct); // a retried batch changes nothing
            }
        });

        Assert.That(await Store.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(producers * perProducer, producers * perProducer, producers * perProducer)));
    }

    [Test]
    public async Task The_feedback_writer_under_parallel_load_stores_exact_counts()
    {
        const int producers = 8, perProducer = 500;
        var writer = new FeedbackWriter(Store, new FeedbackWriterOptions { Capacity = producers * perProducer * 2, BatchSize = 200, SpillFolder = Path.Combine(Folder, "spill") });
        await Parallel.ForEachAsync(Enumerable.Range(0, producers), (p, _) =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                var prediction = Prediction((p * perProducer) + i);
                Assert.That(writer.TryEnqueue(prediction), Is.True);
                Assert.That(writer.TryEnqueue(Outcome(prediction, 55)), Is.True);
            }

            return ValueTask.CompletedTask;
        });

        await writer.DisposeAsync();
        var status = writer.GetStatus();
        Assert.That(status.Dropped, Is.Zero);
        Assert.That(status.Written, Is.EqualTo(2 * producers * perProducer));
        Assert.That(await Store.GetCountsAsync(), Is.EqualTo(new FeedbackCounts(producers * perProducer, producers * perProducer, producers * perProducer)));
    }

    [Test]
    public void Rejects_a_schema_that_is_not_a_plain_identifier()
    {
        Assert.Throws<ArgumentException>(() => new PostgreSqlFeedbackStore(DataSource, "x\"; DROP TABLE y; --"));
    }
}
