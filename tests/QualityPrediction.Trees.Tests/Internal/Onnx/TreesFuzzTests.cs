using FsCheck;
using FsCheck.Fluent;
using QualityPrediction.Models;
using QualityPrediction.Trees.Tests.TestSupport;

namespace QualityPrediction.Trees.Tests.Internal.Onnx;

/// <summary>
/// FsCheck properties over hostile artifacts: mutated, truncated and spliced copies of a trainer's ONNX file, and random
/// bytes. Loading may only succeed or throw <see cref="ModelLoadException"/> (<see cref="UnsupportedModelException"/>
/// included); a model that loads must score a row without throwing. The short run replays a fixed seed, as the
/// reliability project's fuzz properties do; QUALITY_RELIABILITY_LONG=1 explores with fresh seeds and more cases.
/// </summary>
[TestFixture]
public sealed class TreesFuzzTests
{
    private static readonly bool Long = Environment.GetEnvironmentVariable("QUALITY_RELIABILITY_LONG") == "1";

    private static int Cases => Long ? 20_000 : 600;

    private static Config Config => Long
        ? Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true)
        : Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true).WithReplay(new Replay(new Rnd(20261202UL, 0x9E3779B97F4A7C15UL), null));

    private static Arbitrary<int> Seeds => Gen.Choose(0, int.MaxValue).ToArbitrary();

    [Test]
    public void MutatedTrainerArtifact_LoadsOrIsRefusedAsModelLoadException()
    {
        var artifact = TrainedArtifacts.WineFastTree;
        var valid = artifact.OnnxBytes;
        var (loaded, refused) = (0, 0);
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var bytes = Mutate(valid, random);
            if (LoadsOrRefuses(bytes, artifact.Manifest, artifact.OnnxArtifact, seed))
            {
                loaded++;
            }
            else
            {
                refused++;
            }

            return true;
        }));
        TestContext.Out.WriteLine($"{Cases} mutated artifacts: {loaded} loaded, {refused} refused");
        Assert.That(loaded + refused, Is.EqualTo(Cases));
        Assert.That(refused, Is.GreaterThan(0));
    }

    [Test]
    public void RandomBytes_AreRefusedAsModelLoadException()
    {
        var artifact = TrainedArtifacts.WineFastTree;
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            LoadsOrRefuses(bytes, artifact.Manifest, artifact.OnnxArtifact, seed);
            return true;
        }));
    }

    private static bool LoadsOrRefuses(byte[] bytes, ModelManifest manifest, ArtifactInfo artifact, int seed)
    {
        IScoringModel model;
        try
        {
            model = new TreeModelRuntime().Load(manifest, artifact, bytes, new ModelRuntimeOptions());
        }
        catch (ModelLoadException ex)
        {
            Assert.That(ex.Message, Does.StartWith(artifact.File + ":"), "the error names the file");
            return false;
        }
        catch (Exception ex) when (ex is not AssertionException)
        {
            throw new InvalidOperationException($"seed {seed}: {ex.GetType().Name} escaped the tree runtime: {ex.Message}", ex);
        }

        using (model)
        {
            var row = new float[model.InputLength];
            var scores = new float[3];
            try
            {
                model.Score(row, CancellationToken.None);
                model.ScoreBatch(new float[3 * model.InputLength], scores, CancellationToken.None);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"seed {seed}: a model that loaded failed to score: {ex.GetType().Name}: {ex.Message}", ex);
            }
        }

        return true;
    }

    /// <summary>Flips bits, overwrites bytes with boundary values, truncates, duplicates or deletes a span.</summary>
    private static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        for (var m = random.Next(1, 4); m > 0; m--)
        {
            switch (random.Next(6))
            {
                case 0:
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[random.Next(bytes.Length)] = (byte)(random.Next(2) == 0 ? 0xFF : random.Next(2) == 0 ? 0x80 : 0x00);
                    break;
                case 2:
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 3:
                {
                    var start = random.Next(bytes.Length);
                    var length = Math.Min(random.Next(1, 64), bytes.Length - start);
                    bytes = [.. bytes[..start], .. bytes.AsSpan(start, length), .. bytes[start..]];
                    break;
                }

                case 4:
                {
                    var start = random.Next(bytes.Length);
                    var length = Math.Min(random.Next(1, 64), bytes.Length - start);
                    bytes = [.. bytes[..start], .. bytes[(start + length)..]];
                    break;
                }

                default:
                {
                    // A large varint where a length or value was: lengths beyond the buffer, huge counts.
                    var at = random.Next(bytes.Length);
                    bytes = [.. bytes[..at], 0xFF, 0xFF, 0xFF, 0xFF, 0x07, .. bytes[Math.Min(bytes.Length, at + 1)..]];
                    break;
                }
            }

            if (bytes.Length == 0)
            {
                break;
            }
        }

        return bytes;
    }
}
