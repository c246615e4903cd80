using QualityPrediction.Internal;

namespace QualityPrediction.Tests.Internal;

public sealed class PredictionIdsTests
{
    [Test]
    public void Ids_are_version_7_with_the_rfc_variant_and_carry_the_millisecond_timestamp()
    {
        var now = new DateTimeOffset(2026, 11, 29, 10, 11, 12, 345, TimeSpan.Zero);

        var id = PredictionIds.Next(now);

        var bytes = id.ToByteArray(bigEndian: true);
        Assert.That(bytes[6] >> 4, Is.EqualTo(7), "version nibble");
        Assert.That(bytes[8] >> 6, Is.EqualTo(0b10), "variant bits");
        var milliseconds = 0L;
        for (var i = 0; i < 6; i++)
        {
            milliseconds = (milliseconds << 8) | bytes[i];
        }

        Assert.That(milliseconds, Is.EqualTo(now.ToUnixTimeMilliseconds()));
    }

    [Test]
    public void Ids_never_repeat_within_one_millisecond_across_threads()
    {
        var now = new DateTimeOffset(2026, 11, 29, 10, 11, 12, TimeSpan.Zero);
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();

        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                ids.Add(PredictionIds.Next(now));
            }
        });

        Assert.That(ids.Distinct().Count(), Is.EqualTo(200_000));
    }

    [Test]
    public void Ids_sort_by_time()
    {
        var earlier = PredictionIds.Next(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var later = PredictionIds.Next(new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero));

        Assert.That(string.CompareOrdinal(earlier.ToString(), later.ToString()), Is.LessThan(0));
    }

    private static readonly DateTimeOffset BlockTime = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Single_and_reserved_ids_are_version_7_unique_and_carry_the_time()
    {
        var ids = new List<Guid> { PredictionIds.Next(BlockTime) };
        var block = PredictionIds.Reserve(BlockTime, 1000);
        for (var i = 0; i < 1000; i++)
        {
            ids.Add(block.Next());
        }

        ids.Add(PredictionIds.Next(BlockTime));

        Assert.That(ids, Is.Unique);
        Assert.That(ids.Select(id => id.Version), Is.All.EqualTo(7));
        Assert.That(ids.Select(id => id.Variant), Is.All.EqualTo(0b1000).Or.EqualTo(0b1001).Or.EqualTo(0b1010).Or.EqualTo(0b1011));
        var unixMs = BlockTime.ToUnixTimeMilliseconds();
        Assert.That(ids.Select(id => Convert.ToInt64(id.ToString("N")[..12], 16)), Is.All.EqualTo(unixMs), "the first 48 bits are the Unix milliseconds");
    }

    [Test]
    public void Blocks_reserved_concurrently_never_overlap()
    {
        var all = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Parallel.For(0, 200, _ =>
        {
            var block = PredictionIds.Reserve(BlockTime, 50);
            for (var i = 0; i < 50; i++)
            {
                all.Add(block.Next());
            }

            all.Add(PredictionIds.Next(BlockTime));
        });

        Assert.That(all, Has.Count.EqualTo(200 * 51));
        Assert.That(all, Is.Unique);
    }
}
