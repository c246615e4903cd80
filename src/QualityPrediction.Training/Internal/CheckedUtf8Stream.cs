using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using QualityPrediction.Training.Data;

namespace QualityPrediction.Training.Internal;

/// <summary>
/// A read-only stream over a data file that checks, as the bytes pass, that they are valid UTF-8 and that no line is longer
/// than a limit; either problem is a <see cref="DataFormatException"/> naming the file and the line, raised before a reader
/// further on can silently replace bytes or buffer an endless line.
/// </summary>
internal sealed class CheckedUtf8Stream(Stream inner, string path, int maxLineBytes) : Stream
{
    private readonly byte[] _carry = new byte[8];
    private int _carryLength;
    private int _line = 1;
    private long _lineLength;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Check(buffer[..read]);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Check(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            if (_carryLength > 0)
            {
                Fail(0, bytes, "the file ends inside a UTF-8 character");
            }

            return;
        }

        // A character split by the previous read is completed first.
        var start = 0;
        if (_carryLength > 0)
        {
            var take = Math.Min(bytes.Length, 4);
            bytes[..take].CopyTo(_carry.AsSpan(_carryLength));
            var status = Rune.DecodeFromUtf8(_carry.AsSpan(0, _carryLength + take), out _, out var consumed);
            if (status == OperationStatus.NeedMoreData && bytes.Length < 4)
            {
                _carryLength += take;
                CountLines(bytes);
                return;
            }

            if (status != OperationStatus.Done)
            {
                Fail(0, bytes, null);
            }

            start = consumed - _carryLength;
            _carryLength = 0;
        }

        var body = bytes[start..];
        var tail = IncompleteTail(body);
        if (!Utf8.IsValid(body[..^tail]))
        {
            var position = 0;
            while (Rune.DecodeFromUtf8(body[position..], out _, out var consumed) == OperationStatus.Done)
            {
                position += consumed;
            }

            Fail(start + position, bytes, null);
        }

        body[^tail..].CopyTo(_carry);
        _carryLength = tail;
        CountLines(bytes);
    }

    private void CountLines(ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            var newline = bytes.IndexOf((byte)'\n');
            var length = newline < 0 ? bytes.Length : newline;
            if (_lineLength + length > maxLineBytes)
            {
                throw new DataFormatException(new BadRow(path, _line, BadRow.WholeRow, string.Create(CultureInfo.InvariantCulture, $"the line is longer than {maxLineBytes} bytes (DataReadOptions.MaxLineBytes); it was not read.")));
            }

            if (newline < 0)
            {
                _lineLength += length;
                return;
            }

            _line++;
            _lineLength = 0;
            bytes = bytes[(newline + 1)..];
        }
    }

    private void Fail(int position, ReadOnlySpan<byte> bytes, string? problem)
    {
        var before = bytes[..Math.Min(position, bytes.Length)];
        var lines = before.Count((byte)'\n');
        var lastNewline = before.LastIndexOf((byte)'\n');
        var column = lastNewline < 0 ? _lineLength + before.Length + 1 : before.Length - lastNewline;
        var value = position < bytes.Length ? bytes[position] : _carry[0];
        throw new DataFormatException(new BadRow(path, _line + lines, BadRow.WholeRow, problem is null
            ? string.Create(CultureInfo.InvariantCulture, $"the line is not valid UTF-8 (byte 0x{value:X2} at byte {column} of the line); save the file as UTF-8.")
            : $"{problem}; save the file as UTF-8."));
    }

    /// <summary>The number of bytes at the end that start a character the span does not finish (0 to 3).</summary>
    private static int IncompleteTail(ReadOnlySpan<byte> span)
    {
        for (var i = 1; i <= Math.Min(3, span.Length); i++)
        {
            var b = span[^i];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > i ? i : 0;
        }

        return 0;
    }
}
