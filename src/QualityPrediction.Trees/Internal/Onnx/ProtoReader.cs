using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace QualityPrediction.Trees.Internal.Onnx;

/// <summary>
/// A forward-only reader of the protobuf wire format over bytes in memory. Every length is checked against the bytes
/// that remain before anything is allocated, varints are at most ten bytes, groups are refused, and every error names the
/// absolute byte offset, so a hostile file ends in an <see cref="OnnxFormatException"/> and never in an out-of-range read.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly long _origin;
    private int _position;

    /// <summary>Creates a reader over <paramref name="buffer"/>, which starts at <paramref name="origin"/> in the file.</summary>
    public ProtoReader(ReadOnlySpan<byte> buffer, long origin = 0)
    {
        _buffer = buffer;
        _origin = origin;
        _position = 0;
    }

    /// <summary>Gets the absolute offset of the next byte.</summary>
    public readonly long Offset => _origin + _position;

    /// <summary>Gets whether every byte has been read.</summary>
    public readonly bool End => _position >= _buffer.Length;

    /// <summary>Reads the next field's tag; <see langword="false"/> at the end of the message.</summary>
    /// <exception cref="OnnxFormatException">The tag is malformed, its field number is 0 or its wire type is unknown.</exception>
    public bool TryReadTag(out int field, out WireType wireType)
    {
        if (End)
        {
            field = 0;
            wireType = default;
            return false;
        }

        var at = Offset;
        var tag = ReadVarint();
        var number = tag >> 3;
        var wire = (int)(tag & 7);
        if (number is 0 or > 536_870_911)
        {
            throw Error(at, $"the field number {number} is out of range");
        }

        if (wire is not (0 or 1 or 2 or 5))
        {
            throw Error(at, wire is 3 or 4 ? $"field {number} uses the deprecated group encoding" : $"field {number} has the unknown wire type {wire}");
        }

        field = (int)number;
        wireType = (WireType)wire;
        return true;
    }

    /// <summary>Reads a base-128 varint of at most ten bytes.</summary>
    public ulong ReadVarint()
    {
        var at = Offset;
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _buffer.Length)
            {
                throw Error(at, "a varint runs past the end of its message");
            }

            var b = _buffer[_position++];
            if (shift == 63 && b > 1)
            {
                throw Error(at, "a varint overflows 64 bits");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Error(at, "a varint is longer than ten bytes");
    }

    /// <summary>Reads an <c>int64</c> (two's complement varint).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>Reads an <c>int32</c> or enum (a varint whose value must fit 32 bits, sign-extended as protobuf writes negatives).</summary>
    public int ReadInt32()
    {
        var at = Offset;
        var value = ReadInt64();
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw Error(at, $"the value {value} does not fit an int32 field");
        }

        return (int)value;
    }

    /// <summary>Reads a <c>float</c> (fixed 32 bits, little-endian).</summary>
    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4, "a float"));

    /// <summary>Reads a <c>double</c> (fixed 64 bits, little-endian).</summary>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, "a double"));

    /// <summary>Reads a length-delimited field's bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(out long offset)
    {
        var at = Offset;
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _position))
        {
            throw Error(at, $"a length of {length} bytes runs past the end of its message ({_buffer.Length - _position} bytes left)");
        }

        offset = Offset;
        return Take((int)length, "a length-delimited field");
    }

    /// <summary>Reads a length-delimited field as a nested message reader.</summary>
    public ProtoReader ReadMessage()
    {
        var bytes = ReadBytes(out var offset);
        return new ProtoReader(bytes, offset);
    }

    /// <summary>Reads a UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string ReadString(int maxBytes, string what)
    {
        var at = Offset;
        var bytes = ReadBytes(out _);
        if (bytes.Length > maxBytes)
        {
            throw Error(at, $"{what} is {bytes.Length} bytes long; the limit is {maxBytes}");
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new OnnxFormatException(Describe(at, $"{what} is not valid UTF-8"), ex);
        }
    }

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Take(8, "a fixed64 field");
                break;
            case WireType.Fixed32:
                Take(4, "a fixed32 field");
                break;
            case WireType.LengthDelimited:
                ReadBytes(out _);
                break;
            default:
                throw Error(Offset, $"cannot skip the wire type {(int)wireType}");
        }
    }

    /// <summary>Appends a repeated <c>float</c> field's values (packed or one value), refusing more than <paramref name="maxCount"/> in all.</summary>
    public void ReadFloats(WireType wireType, List<float> values, int maxCount, string what)
    {
        if (wireType == WireType.Fixed32)
        {
            Limit(values.Count + 1, maxCount, what);
            values.Add(ReadFloat());
            return;
        }

        Expect(wireType, WireType.LengthDelimited, what);
        var at = Offset;
        var bytes = ReadBytes(out _);
        if (bytes.Length % 4 != 0)
        {
            throw Error(at, $"the packed {what} has {bytes.Length} bytes, not a multiple of 4");
        }

        Limit(values.Count + (bytes.Length / 4), maxCount, what);
        for (var i = 0; i < bytes.Length; i += 4)
        {
            values.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]));
        }
    }

    /// <summary>Appends a repeated <c>double</c> field's values (packed or one value).</summary>
    public void ReadDoubles(WireType wireType, List<double> values, int maxCount, string what)
    {
        if (wireType == WireType.Fixed64)
        {
            Limit(values.Count + 1, maxCount, what);
            values.Add(ReadDouble());
            return;
        }

        Expect(wireType, WireType.LengthDelimited, what);
        var at = Offset;
        var bytes = ReadBytes(out _);
        if (bytes.Length % 8 != 0)
        {
            throw Error(at, $"the packed {what} has {bytes.Length} bytes, not a multiple of 8");
        }

        Limit(values.Count + (bytes.Length / 8), maxCount, what);
        for (var i = 0; i < bytes.Length; i += 8)
        {
            values.Add(BinaryPrimitives.ReadDoubleLittleEndian(bytes[i..]));
        }
    }

    /// <summary>Appends a repeated <c>int64</c>/<c>int32</c> field's values (packed or one value).</summary>
    public void ReadInt64s(WireType wireType, List<long> values, int maxCount, string what)
    {
        if (wireType == WireType.Varint)
        {
            Limit(values.Count + 1, maxCount, what);
            values.Add(ReadInt64());
            return;
        }

        Expect(wireType, WireType.LengthDelimited, what);
        var inner = ReadMessage();
        while (!inner.End)
        {
            Limit(values.Count + 1, maxCount, what);
            values.Add(inner.ReadInt64());
        }
    }

    /// <summary>Throws unless the field has the wire type its schema declares.</summary>
    public readonly void Expect(WireType actual, WireType expected, string what)
    {
        if (actual != expected)
        {
            throw Error(Offset, $"{what} has wire type {(int)actual}; its schema declares {(int)expected}");
        }
    }

    /// <summary>Creates the error for the current position.</summary>
    public readonly OnnxFormatException Error(string reason) => Error(Offset, reason);

    private static void Limit(int count, int maxCount, string what)
    {
        if (count > maxCount)
        {
            throw new OnnxFormatException($"{what} has more than {maxCount.ToString("N0", CultureInfo.InvariantCulture)} values, the reader's limit");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > _buffer.Length - _position)
        {
            throw Error(Offset, $"{what} runs past the end of its message");
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    private static OnnxFormatException Error(long at, string reason) => new(Describe(at, reason));

    private static string Describe(long at, string reason) => string.Create(CultureInfo.InvariantCulture, $"at byte {at}: {reason}");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
