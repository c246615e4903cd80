using System.Globalization;
using System.Text.Unicode;

namespace QualityPrediction.Training.Internal;

/// <summary>
/// Reads a stream line by line as UTF-8 bytes, holding at most one line (up to a limit) in memory: a longer line is reported as
/// such and skipped to its end without being buffered; a line that is not valid UTF-8 is reported with the offending byte.
/// A byte order mark at the start is skipped.
/// </summary>
internal sealed class Utf8Lines(Stream stream, int maxLineBytes)
{
    private readonly byte[] _chunk = new byte[64 * 1024];
    private byte[] _line = new byte[4096];
    private int _chunkStart;
    private int _chunkEnd;
    private bool _eof;
    private bool _started;

    /// <summary>Gets the 1-based number of the line last read.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Reads the next line, without its <c>\n</c> (and <c>\r</c>).</summary>
    /// <param name="line">The line's bytes, valid until the next call; empty when the line is too long.</param>
    /// <param name="problem">Why the line cannot be used (too long, not UTF-8), else <see langword="null"/>.</param>
    /// <returns><see langword="false"/> at the end of the stream.</returns>
    public bool TryRead(out ReadOnlyMemory<byte> line, out string? problem)
    {
        var length = 0;
        var tooLong = false;
        while (true)
        {
            if (_chunkStart == _chunkEnd)
            {
                if (_eof || !Fill())
                {
                    if (length == 0 && !tooLong)
                    {
                        line = default;
                        problem = null;
                        return false;
                    }

                    break;
                }
            }

            var available = _chunk.AsSpan(_chunkStart, _chunkEnd - _chunkStart);
            var newline = available.IndexOf((byte)'\n');
            var take = newline < 0 ? available : available[..newline];
            if (!tooLong && length + take.Length > maxLineBytes)
            {
                tooLong = true;
            }

            if (!tooLong)
            {
                if (length + take.Length > _line.Length)
                {
                    Array.Resize(ref _line, Math.Min(Math.Max(_line.Length * 2, length + take.Length), maxLineBytes));
                }

                take.CopyTo(_line.AsSpan(length));
                length += take.Length;
            }

            _chunkStart += take.Length;
            if (newline >= 0)
            {
                _chunkStart++;
                break;
            }
        }

        LineNumber++;
        if (tooLong)
        {
            line = default;
            problem = string.Create(CultureInfo.InvariantCulture, $"the line is longer than {maxLineBytes} bytes (DataReadOptions.MaxLineBytes); it was not read.");
            return true;
        }

        if (length > 0 && _line[length - 1] == (byte)'\r')
        {
            length--;
        }

        line = _line.AsMemory(0, length);
        problem = Utf8.IsValid(line.Span) ? null : NotUtf8(line.Span);
        return true;
    }

    /// <summary>Describes where a span stops being valid UTF-8.</summary>
    public static string NotUtf8(ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        while (position < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[position..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                break;
            }

            position += consumed;
        }

        var at = Math.Min(position, bytes.Length - 1);
        return string.Create(CultureInfo.InvariantCulture, $"the line is not valid UTF-8 (byte 0x{bytes[at]:X2} at byte {at + 1} of the line); save the file as UTF-8.");
    }

    private bool Fill()
    {
        _chunkStart = 0;
        _chunkEnd = stream.Read(_chunk, 0, _chunk.Length);
        if (_chunkEnd == 0)
        {
            _eof = true;
            return false;
        }

        if (!_started)
        {
            _started = true;
            if (_chunk.AsSpan(0, _chunkEnd).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                _chunkStart = 3;
            }
        }

        return true;
    }
}
