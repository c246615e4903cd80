using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace QualityPrediction.WebApi;

/// <summary>
/// Reads a request's JSON body, so that what ASP.NET Core's parameter binding answers with an empty 400 becomes a
/// problem that says what is wrong and where: a content type that is not JSON (415), a body above the limit (413),
/// and malformed JSON (400, naming the field whose value could not be read, and the line and byte).
/// </summary>
internal static partial class JsonBody
{
    /// <summary>The largest body read, in bytes (1 MiB; a context is a few hundred bytes).</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Reads and parses the body. <paramref name="root"/> is how error paths start: <c>$</c> when the body is itself the context, empty otherwise.</summary>
    /// <returns>The parsed body (to dispose), or the problem to answer with.</returns>
    public static async Task<(JsonDocument? Body, IResult? Problem)> ReadAsync(HttpRequest request, string root, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "The body must be JSON.",
                detail: $"Send the body with 'Content-Type: application/json' (the request's Content-Type is {(request.ContentType is { } type ? $"'{type}'" : "missing")}).",
                extensions: new Dictionary<string, object?> { ["header"] = "Content-Type" }));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return (null, TooLarge());
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        try
        {
            return (JsonDocument.Parse(bytes), null);
        }
        catch (JsonException ex)
        {
            var path = PathOfError(bytes.Span, root);
            var where = ex.LineNumber is { } line && ex.BytePositionInLine is { } position
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {position + 1})")
                : "";
            var reason = bytes.Length == 0 ? "the body is empty; send a JSON object." : $"is not valid JSON{where}: {Position().Replace(ex.Message, "").Trim()}";
            var key = path.Length == 0 ? "$" : path;
            return (null, Results.ValidationProblem(new Dictionary<string, string[]> { [key] = [reason] }, title: "The body is not valid JSON."));
        }
    }

    private static IResult TooLarge() => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "The body is too large.",
        detail: string.Create(CultureInfo.InvariantCulture, $"The body may have at most {MaxBytes} bytes."));

    /// <summary>The path (<c>candidates[1].cost</c>) of the value the reader was in when the JSON stopped being valid.</summary>
    private static string PathOfError(ReadOnlySpan<byte> json, string root)
    {
        // One frame per open container: its own path, whether it is an array, the next index, the pending property.
        var frames = new List<(string Path, bool IsArray, int Index, string? Property)>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        frames[^1] = frames[^1] with { Property = reader.GetString() };
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var path = ValuePath(frames, root);
                        Advance(frames);
                        frames.Add((path, reader.TokenType == JsonTokenType.StartArray, 0, null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    default:
                        Advance(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return ValuePath(frames, root);
        }

        return root;
    }

    /// <summary>The path of the value about to be read: the pending property of an object, the next index of an array.</summary>
    private static string ValuePath(List<(string Path, bool IsArray, int Index, string? Property)> frames, string root)
    {
        if (frames.Count == 0)
        {
            return root;
        }

        var (path, isArray, index, property) = frames[^1];
        return isArray
            ? string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]")
            : property is null ? path : path.Length == 0 ? property : $"{path}.{property}";
    }

    private static void Advance(List<(string Path, bool IsArray, int Index, string? Property)> frames)
    {
        if (frames.Count > 0)
        {
            var top = frames[^1];
            frames[^1] = top.IsArray ? top with { Index = top.Index + 1 } : top with { Property = null };
        }
    }

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.")]
    private static partial Regex Position();
}
