using System.Buffers.Binary;
using System.Security.Cryptography;

namespace QualityPrediction.Internal;

/// <summary>
/// Creates prediction ids: RFC 9562 version 7 GUIDs (48-bit Unix milliseconds, then 74 bits that are a random
/// per-process salt plus a counter). Unique within a process (the counter never repeats before 2^62 ids),
/// unique across processes with overwhelming probability (a 74-bit random salt), time-ordered like any v7 GUID,
/// and far cheaper than <see cref="Guid.CreateVersion7(DateTimeOffset)"/>, which draws from the OS random source per call.
/// </summary>
internal static class PredictionIds
{
    private static readonly ulong Salt = CreateSalt(out SaltHigh);
    private static readonly ushort SaltHigh;
    private static long _counter;

    public static Guid Next(DateTimeOffset now) => Create(High(now), (ulong)Interlocked.Increment(ref _counter));

    /// <summary>Reserves <paramref name="count"/> consecutive ids with one interlocked add (for a batch stamped at one time).</summary>
    /// <param name="now">The batch's time.</param>
    /// <param name="count">How many ids.</param>
    /// <returns>The block; call <see cref="Block.Next"/> at most <paramref name="count"/> times.</returns>
    public static Block Reserve(DateTimeOffset now, int count) => new(High(now), (ulong)Interlocked.Add(ref _counter, count) - (ulong)count);

    private static ulong High(DateTimeOffset now) => ((((ulong)now.ToUnixTimeMilliseconds()) & 0xFFFF_FFFF_FFFFUL) << 16) | 0x7000UL | (SaltHigh & 0x0FFFUL);

    private static Guid Create(ulong high, ulong counter)
    {
        var sequence = Salt + counter;
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], 0x8000_0000_0000_0000UL | (sequence & 0x3FFF_FFFF_FFFF_FFFFUL));
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>A reserved run of counter values; not thread-safe (one batch, one thread).</summary>
    public struct Block(ulong high, ulong last)
    {
        private ulong _last = last;

        /// <summary>Returns the next id of the block.</summary>
        /// <returns>The id.</returns>
        public Guid Next() => Create(high, ++_last);
    }

    private static ulong CreateSalt(out ushort high)
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        high = BinaryPrimitives.ReadUInt16BigEndian(random);
        return BinaryPrimitives.ReadUInt64BigEndian(random[2..]);
    }
}
