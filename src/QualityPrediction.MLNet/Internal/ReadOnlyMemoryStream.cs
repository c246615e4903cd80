using System.Runtime.InteropServices;

namespace QualityPrediction.MLNet.Internal;

/// <summary>A read-only stream over verified bytes, without copying them when they are an array.</summary>
internal sealed class ReadOnlyMemoryStream : MemoryStream
{
    public ReadOnlyMemoryStream(ReadOnlyMemory<byte> bytes)
        : base(ToSegment(bytes).Array!, ToSegment(bytes).Offset, ToSegment(bytes).Count, writable: false)
    {
    }

    private static ArraySegment<byte> ToSegment(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) ? segment : new ArraySegment<byte>(bytes.ToArray());
}
