using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace QualityPrediction.WebApi.Tests;

/// <summary>
/// A minimal OTLP/HTTP trace receiver on a loopback port: accepts <c>POST /v1/traces</c> (protobuf
/// <c>ExportTraceServiceRequest</c>) and decodes each span's scope, name and string/bool/int attributes with a small
/// protobuf wire-format reader (field numbers from opentelemetry-proto's trace.proto and common.proto).
/// </summary>
internal sealed class OtlpTraceReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly Task _loop;

    public OtlpTraceReceiver()
    {
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint { get; }

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was closed under a pending accept.
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body).ConfigureAwait(false);
            if (context.Request.Url?.AbsolutePath == "/v1/traces")
            {
                foreach (var span in Decode(body.ToArray()))
                {
                    _spans.Enqueue(span);
                }
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>ExportTraceServiceRequest: 1 resource_spans → ResourceSpans: 2 scope_spans → ScopeSpans: 1 scope (1 name), 2 spans.</summary>
    private static IEnumerable<ReceivedSpan> Decode(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1).Select(f => f.Bytes!))
        {
            foreach (var scopeSpans in Fields(resourceSpans).Where(f => f.Number == 2).Select(f => f.Bytes!))
            {
                var fields = Fields(scopeSpans).ToList();
                var scope = fields.Where(f => f.Number == 1).Select(f => Fields(f.Bytes!).Where(s => s.Number == 1).Select(s => Text(s.Bytes!)).FirstOrDefault()).FirstOrDefault() ?? "";
                foreach (var span in fields.Where(f => f.Number == 2).Select(f => f.Bytes!))
                {
                    yield return DecodeSpan(scope, span);
                }
            }
        }
    }

    /// <summary>Span: 1 trace_id, 4 parent_span_id, 5 name, 9 attributes (KeyValue: 1 key, 2 AnyValue: 1 string, 2 bool, 3 int, 4 double), 15 status (2 message, 3 code).</summary>
    private static ReceivedSpan DecodeSpan(string scope, byte[] span)
    {
        var name = "";
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        var traceId = "";
        var parent = "";
        var statusCode = 0L;
        foreach (var field in Fields(span))
        {
            switch (field.Number)
            {
                case 1:
                    traceId = Convert.ToHexString(field.Bytes!);
                    break;
                case 4:
                    parent = Convert.ToHexString(field.Bytes!);
                    break;
                case 5:
                    name = Text(field.Bytes!);
                    break;
                case 9:
                    var kv = Fields(field.Bytes!).ToList();
                    var key = kv.Where(f => f.Number == 1).Select(f => Text(f.Bytes!)).First();
                    var any = kv.Where(f => f.Number == 2).Select(f => Fields(f.Bytes!).First()).FirstOrDefault();
                    attributes[key] = any.Number switch
                    {
                        1 => Text(any.Bytes!),
                        2 => any.Varint != 0,
                        3 => (long)any.Varint,
                        4 => BitConverter.UInt64BitsToDouble(any.Varint),
                        _ => "?",
                    };
                    break;
                case 15:
                    statusCode = (long)Fields(field.Bytes!).Where(f => f.Number == 3).Select(f => f.Varint).FirstOrDefault();
                    break;
            }
        }

        return new ReceivedSpan(scope, name, traceId, parent, attributes, statusCode);
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The fields of one message: number, and the varint / fixed value or the length-delimited bytes.</summary>
    private static IEnumerable<(int Number, ulong Varint, byte[]? Bytes)> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var number = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    yield return (number, ReadVarint(message, ref position), null);
                    break;
                case 1:
                    yield return (number, BitConverter.ToUInt64(message, position), null);
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    yield return (number, 0, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    yield return (number, BitConverter.ToUInt32(message, position), null);
                    position += 4;
                    break;
                default:
                    throw new FormatException($"Unsupported protobuf wire type {tag & 7} at byte {position}.");
            }
        }
    }

    private static ulong ReadVarint(byte[] bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}

/// <summary>One span as received over OTLP.</summary>
internal sealed record ReceivedSpan(string Scope, string Name, string TraceId, string ParentSpanId, IReadOnlyDictionary<string, object> Attributes, long StatusCode);
