using QualityPrediction.Feedback;

namespace QualityPrediction.Tests.Feedback;

public sealed class PredictionRecordTests
{
    [Test]
    public void A_record_keeps_the_features_as_they_were_when_the_prediction_was_made()
    {
        var context = new PredictionContext().WithProvider("openai").WithModel("gpt-4o").Set("statValue", 14);
        var result = new QualityPredictionResult { Score = 70, Confidence = 0.5, Source = PredictionSource.Heuristic, PredictionId = Guid.NewGuid() };

        var record = PredictionRecord.FromPrediction("quality", context, result);
        context.Set("statValue", 3).Set("provider", "anthropic").Remove("model");

        Assert.That(record.Features.Count, Is.EqualTo(3));
        Assert.That(record.Features["statValue"], Is.EqualTo(FeatureValue.Numeric(14)));
        Assert.That(record.Features.TryGetValue("provider", out var provider) && provider == FeatureValue.Categorical("openai"), Is.True);
        Assert.That(record.Features.ContainsKey("model"), Is.True);
        Assert.That(record.Features.ContainsKey("scenario"), Is.False);
        Assert.That(record.Features.Keys, Is.EquivalentTo(new[] { "provider", "model", "statValue" }));
        Assert.That(() => record.Features["scenario"], Throws.InstanceOf<KeyNotFoundException>().With.Message.Contains("scenario"));
    }
}
