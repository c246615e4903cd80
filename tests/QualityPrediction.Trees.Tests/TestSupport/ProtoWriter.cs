using System.Buffers.Binary;
using System.Text;

namespace QualityPrediction.Trees.Tests.TestSupport;

/// <summary>A minimal protobuf writer for building ONNX test graphs (fields in the order written; nested messages from a callback).</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _stream = new();

    public byte[] ToArray() => _stream.ToArray();

    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, 0);
        WriteVarint(unchecked((ulong)value));
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _stream.Write(bytes);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        _stream.Write(value);
        return this;
    }

    public ProtoWriter Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        return Bytes(field, inner.ToArray());
    }

    public ProtoWriter PackedFloats(int field, IEnumerable<float> values)
    {
        var bytes = new List<byte>();
        Span<byte> buffer = stackalloc byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
            bytes.AddRange(buffer.ToArray());
        }

        return Bytes(field, bytes.ToArray());
    }

    public ProtoWriter PackedInts(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values)
        {
            inner.WriteVarint(unchecked((ulong)v));
        }

        return Bytes(field, inner.ToArray());
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    private void Tag(int field, int wire) => WriteVarint(((ulong)field << 3) | (uint)wire);

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _stream.WriteByte((byte)value);
    }
}
