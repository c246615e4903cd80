using System.Collections.Concurrent;
using System.Diagnostics;
using QualityPrediction.Models;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Runtimes.Tests.Models;

/// <summary>A span per model load and reload on the <c>QualityPrediction</c> ActivitySource, with <c>error.type</c> when it fails.</summary>
[TestFixture]
public sealed class ModelLoadTracingTests
{
    [Test]
    public async Task Load_reload_and_failed_reload_are_spans_with_the_model_version_and_error_type()
    {
        var name = "traced-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == QualityPredictionInstruments.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.OperationName == QualityPredictionInstruments.ModelLoadActivity && a.GetTagItem(QualityPredictionInstruments.ModelNameTag) as string == name)
                {
                    spans.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var folder = Fixtures.NewFolder("tracing");
        var manifest = Fixtures.Numeric.CopyTo(folder);
        await using var catalog = await StandaloneModelCatalog.LoadAsync([new ModelOptions { Name = name, Path = manifest, WatchForChanges = false }], Predictors.Runtimes);
        File.Copy(Fixtures.NumericV2.ZipPath, Path.Combine(folder, "numeric.zip"), overwrite: true);
        File.Copy(Fixtures.NumericV2.OnnxPath, Path.Combine(folder, "numeric.onnx"), overwrite: true);
        File.Copy(Fixtures.NumericV2.ManifestPath, Path.Combine(folder, "numeric.model.json"), overwrite: true);
        await catalog.ReloadAsync(name);
        File.Delete(Path.Combine(folder, "numeric.onnx"));
        File.Delete(Path.Combine(folder, "numeric.zip"));
        await Assert.ThrowsAsync<ModelLoadException>(() => catalog.ReloadAsync(name));

        var all = spans.ToArray();
        Assert.That(all, Has.Length.EqualTo(3));
        Assert.Multiple(() =>
        {
            Assert.That(all.Select(a => a.GetTagItem(QualityPredictionInstruments.ReloadTag)), Is.EqualTo(new object[] { false, true, true }));
            Assert.That(all[0].GetTagItem(QualityPredictionInstruments.ModelVersionTag), Is.EqualTo("0001"));
            Assert.That(all[1].GetTagItem(QualityPredictionInstruments.ModelVersionTag), Is.EqualTo("0002"));
            Assert.That(all[0].Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(all[2].Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(all[2].GetTagItem(QualityPredictionInstruments.ErrorTypeTag), Is.EqualTo(typeof(ModelLoadException).FullName));
            Assert.That(all[2].StatusDescription, Does.Contain("numeric.onnx"));
        });
    }
}
