using System.Text;
using FsCheck;
using FsCheck.Fluent;
using QualityPrediction.Models;
using QualityPrediction.Reliability.Tests.TestSupport;
using QualityPrediction.Training.Data;

namespace QualityPrediction.Reliability.Tests.Fuzzing;

/// <summary>
/// FsCheck properties over hostile input: the manifest reader, the training data readers and context validation may
/// only throw their documented exceptions (ModelFormatException; DataFormatException; ArgumentException). The case
/// count is bounded (Settings.FuzzCases; more with QUALITY_RELIABILITY_LONG=1). Every crash found is a regression test
/// in <see cref="FuzzRegressionTests"/>.
/// </summary>
[TestFixture]
public sealed class FuzzProperties
{
    // The short (CI) run replays a fixed FsCheck seed, so a CI result does not depend on the draw; the long run
    // (QUALITY_RELIABILITY_LONG=1) explores with fresh seeds. A failure found by a long run becomes a regression test.
    private static Config Config => Settings.Long
        ? Config.QuickThrowOnFailure.WithMaxTest(Settings.FuzzCases).WithQuietOnSuccess(true)
        : Config.QuickThrowOnFailure.WithMaxTest(Settings.FuzzCases).WithQuietOnSuccess(true)
            .WithReplay(new Replay(new Rnd(20261129UL, 0x9E3779B97F4A7C15UL), null));

    private static Arbitrary<int> Seeds => Gen.Choose(0, int.MaxValue).ToArbitrary();

    [Test]
    public void ManifestReader_OnMutatedManifests_ThrowsOnlyModelFormatException()
    {
        var valid = Fixtures.Categorical.Manifest.ToJson();
        var stats = new Stats();
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var text = random.Next(2) == 0 ? Mutator.MutateText(valid, random) : Mutator.MutateJson(valid, random);
            return ParsesOrRefuses(text, seed, stats);
        }));
        stats.Report(nameof(ManifestReader_OnMutatedManifests_ThrowsOnlyModelFormatException));
        Assert.That(stats.Accepted + stats.Refused, Is.EqualTo(Settings.FuzzCases));
    }

    [Test]
    public void ManifestReader_OnRandomJson_ThrowsOnlyModelFormatException()
    {
        var stats = new Stats();
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var text = Mutator.RandomJson(random, 4)?.ToJsonString() ?? "null";
            return ParsesOrRefuses(text, seed, stats);
        }));
        stats.Report(nameof(ManifestReader_OnRandomJson_ThrowsOnlyModelFormatException));
        Assert.That(stats.Refused, Is.GreaterThan(0));
    }

    [TestCase("data.csv", "provider,model,statValue,quality\nopenai,large,14,71\nanthropic,small,9,63.5\n\"google\",\"med,ium\",3,55\nopenai,,12,70\n")]
    [TestCase("data.jsonl", "{\"provider\":\"openai\",\"statValue\":14,\"quality\":71}\n{\"provider\":\"anthropic\",\"statValue\":9.5,\"quality\":63}\n{\"provider\":null,\"statValue\":\"3\",\"quality\":55}\n")]
    [TestCase("data.json", "[{\"provider\":\"openai\",\"statValue\":14,\"quality\":71},{\"provider\":\"anthropic\",\"statValue\":9,\"quality\":63}]")]
    [TestCase("legacy.json", "[{\"timestamp\":\"2025-10-05T07:39:44.832Z\",\"features\":{\"codeQuality\":88.8,\"team\":\"demo\"},\"target\":74.1,\"csat\":0.8},{\"timestamp\":\"2025-10-06T07:39:44.832Z\",\"features\":{\"codeQuality\":70.1,\"team\":\"core\"},\"target\":60}]")]
    public void TrainingReaders_OnMutatedFiles_ThrowOnlyDataFormatException(string fileName, string valid)
    {
        var folder = Fixtures.NewFolder("fuzz-data");
        var path = Path.Combine(folder, fileName);
        var target = fileName.StartsWith("legacy", StringComparison.Ordinal) ? "target" : "quality";
        var stats = new Stats();
        var cases = Math.Max(200, Settings.FuzzCases / 2);
        Check.One(Config.WithMaxTest(cases), Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var text = fileName.EndsWith(".csv", StringComparison.Ordinal) || random.Next(2) == 0 ? Mutator.MutateText(valid, random) : MutateJsonData(valid, random);
            var bytes = new UTF8Encoding(false, false).GetBytes(text); // lone surrogates become U+FFFD, as in any real file
            if (random.Next(8) == 0 && bytes.Length > 0)
            {
                // Invalid UTF-8: stray continuation bytes, overlong forms, 0xFF.
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100);
                }
            }

            File.WriteAllBytes(path, bytes);
            try
            {
                var data = DataReader.Read([path], new DataReadOptions { Target = target, OnBadRow = random.Next(2) == 0 ? BadRowPolicy.Fail : BadRowPolicy.Skip });
                Assert.That(data.Count, Is.GreaterThan(0));
                Assert.That(data.Targets, Has.All.Matches<double>(double.IsFinite), "targets are finite");
                stats.Accepted++;
            }
            catch (DataFormatException ex)
            {
                Assert.That(ex.Message, Does.Contain(fileName), "the error names the file");
                stats.Refused++;
            }
            catch (Exception ex) when (ex is not AssertionException)
            {
                throw new InvalidOperationException($"seed {seed}: {ex.GetType().Name} escaped the reader for {fileName}: {ex.Message}\n--- input ---\n{Shorten(text)}", ex);
            }

            return true;
        }));
        stats.Report($"{nameof(TrainingReaders_OnMutatedFiles_ThrowOnlyDataFormatException)}/{fileName}");
        Assert.That(stats.Accepted + stats.Refused, Is.EqualTo(cases));
    }

    [Test]
    public void ContextValidationAndEncoding_ThrowOnlyArgumentException()
    {
        var encoder = FeatureEncoder.Create(Fixtures.Categorical.Manifest);
        var names = encoder.Features.Select(f => f.Name).Concat(["", " ", "\u0000", "other"]).ToArray();
        var stats = new Stats();
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var context = new PredictionContext();
            for (var i = random.Next(0, 12); i > 0; i--)
            {
                var name = names[random.Next(names.Length)];
                try
                {
                    switch (random.Next(5))
                    {
                        case 0:
                            context.Set(name, RandomDouble(random));
                            break;
                        case 1:
                            context.Set(name, RandomString(random));
                            break;
                        case 2:
                            context[name] = random.Next(2) == 0 ? (FeatureValue)RandomDouble(random) : (FeatureValue)RandomString(random);
                            break;
                        case 3:
                            context.Set(name, default(FeatureValue));
                            break;
                        default:
                            context.Set(name, random.Next(2) == 0 ? null! : RandomString(random));
                            break;
                    }
                }
                catch (ArgumentException)
                {
                    stats.Refused++;
                }
            }

            var vector = new float[encoder.Length];
            try
            {
                encoder.Encode(context, vector);
                stats.Accepted++;
                Assert.That(vector.All(float.IsFinite) || context.Any(p => p.Value.Kind == FeatureKind.Numeric && Math.Abs(p.Value.Number) > float.MaxValue), Is.True, "finite inputs encode to finite slots");
            }
            catch (ArgumentException ex)
            {
                Assert.That(ex.Message, Does.Contain("must be"), "the message says what the feature must be");
                stats.Refused++;
            }

            return true;
        }));
        stats.Report(nameof(ContextValidationAndEncoding_ThrowOnlyArgumentException));
        Assert.That(stats.Accepted, Is.GreaterThan(0));
    }

    private static bool ParsesOrRefuses(string text, int seed, Stats stats)
    {
        try
        {
            var manifest = ModelManifest.Parse(text, "fuzz.model.json");
            var encoder = FeatureEncoder.Create(manifest);
            var vector = new float[encoder.Length];
            encoder.Encode(new PredictionContext(), vector);
            stats.Accepted++;
        }
        catch (ModelFormatException ex)
        {
            Assert.That(ex.Message, Does.StartWith("fuzz.model.json").Or.StartWith("features"), "the error names the file");
            stats.Refused++;
        }
        catch (Exception ex) when (ex is not AssertionException)
        {
            throw new InvalidOperationException($"seed {seed}: {ex.GetType().Name} escaped the manifest reader: {ex.Message}\n--- input ---\n{Shorten(text)}", ex);
        }

        return true;
    }

    private static string MutateJsonData(string valid, Random random)
    {
        if (valid.TrimStart().StartsWith('['))
        {
            return Mutator.MutateJson(valid, random);
        }

        var lines = valid.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var index = random.Next(lines.Length);
        lines[index] = Mutator.MutateJson(lines[index], random);
        return string.Join('\n', lines);
    }

    private static double RandomDouble(Random random) => random.Next(8) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => double.NegativeInfinity,
        3 => double.MaxValue,
        4 => -double.Epsilon,
        _ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(0, 12)),
    };

    private static string RandomString(Random random) => random.Next(6) switch
    {
        0 => "",
        1 => new string('x', random.Next(1, 1 << 20)),
        2 => "openai",
        3 => "openai\u001flarge",
        _ => new string([.. Enumerable.Range(0, random.Next(0, 16)).Select(_ => (char)random.Next(0, 0xD800))]),
    };

    private static string Shorten(string text) => text.Length <= 2000 ? text : text[..2000] + $"… ({text.Length} chars)";

    private sealed class Stats
    {
        public int Accepted { get; set; }

        public int Refused { get; set; }

        public void Report(string test) => Settings.Report(test, $"executions={Accepted + Refused} accepted={Accepted} refused={Refused} crashes=0");
    }
}
