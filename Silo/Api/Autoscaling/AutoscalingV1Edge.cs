using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Silo.Api.Autoscaling;

/// <summary>
/// Serves autoscaling/v1 HorizontalPodAutoscalers (what <c>kubectl autoscale</c> up to 1.33 creates) from the stored
/// autoscaling/v2 objects, as kube-apiserver serves one stored version in several: a request under
/// /apis/autoscaling/v1/…/horizontalpodautoscalers has its body converted to v2 and is served at the v2 path; what comes
/// back (an object, a list, each event of a watch) is converted to v1. Status and Table responses pass unchanged.
/// </summary>
internal static class AutoscalingV1Edge
{
    private const string V1Prefix = "/apis/autoscaling/v1/";
    private const string V2Prefix = "/apis/autoscaling/v2/";

    /// <summary>The resources discovery lists under autoscaling/v1: name, verbs.</summary>
    public static readonly (string Name, string[] Verbs)[] Resources =
    [
        ("horizontalpodautoscalers", ["create", "delete", "get", "list", "patch", "update", "watch"]),
        ("horizontalpodautoscalers/status", ["get", "patch", "update"]),
    ];

    public static void UseAutoscalingV1(this WebApplication app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith(V1Prefix, StringComparison.Ordinal) || !path.Contains("/horizontalpodautoscalers", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }
        // Routing ran before this step: the served endpoint reads the version from the route values, so both change.
        context.Request.Path = V2Prefix + path[V1Prefix.Length..];
        context.Request.RouteValues["version"] = "v2";
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            // kubectl autoscale sends protobuf (the typed client): decoded with the v1 schema, passed on as JSON. A patch
            // keeps its media type; its fields are converted as an object's.
            var patch = HttpMethods.IsPatch(context.Request.Method);
            var body = await ResourceWrites.ReadJsonBodyAsync(context.Request, mediaTypes: patch ? [ResourceWrites.MediaType(context.Request) ?? ""] : null,
                protobufKind: patch ? null : (HpaV1Conversion.V1, "HorizontalPodAutoscaler"));
            var converted = body is JsonObject o ? HpaV1Conversion.ToV2(o) : body;
            var bytes = Encoding.UTF8.GetBytes(converted?.ToJsonString() ?? "null");
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            if (!patch)
                context.Request.ContentType = "application/json";
        }
        var original = context.Response.Body;
        await using var converting = new ConvertingStream(original, context);
        context.Response.Body = converting;
        try
        {
            await next(context);
            await converting.CompleteAsync();
        }
        finally
        {
            context.Response.Body = original;
        }
    });

    /// <summary>Converts a v2 response to v1: newline-delimited documents (a watch) as each line ends, anything else when it is complete.</summary>
    private sealed class ConvertingStream(Stream inner, HttpContext context) : Stream
    {
        private readonly MemoryStream _pending = new();

        private bool Streaming => context.Request.Query["watch"] is var w && (w == "true" || w == "1");

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            await WriteAsync(buffer.AsMemory(offset, count), cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _pending.Write(buffer.Span);
            if (Streaming)
                await ForwardLinesAsync(cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (Streaming)
            {
                await ForwardLinesAsync(cancellationToken);
                await inner.FlushAsync(cancellationToken);
            }
        }

        public override void Flush()
        {
        }

        /// <summary>Converts what remains, as one document (or the last lines of a watch).</summary>
        public async Task CompleteAsync()
        {
            if (Streaming)
            {
                await ForwardLinesAsync(CancellationToken.None);
                await WriteRawAsync(_pending.ToArray(), CancellationToken.None);
                return;
            }
            var text = Encoding.UTF8.GetString(_pending.ToArray());
            var bytes = Encoding.UTF8.GetBytes(Convert(text));
            if (!context.Response.HasStarted)
                context.Response.ContentLength = bytes.Length;
            await inner.WriteAsync(bytes);
        }

        private async Task ForwardLinesAsync(CancellationToken ct)
        {
            var data = _pending.ToArray();
            var end = Array.LastIndexOf(data, (byte)'\n');
            if (end < 0)
                return;
            var lines = Encoding.UTF8.GetString(data, 0, end + 1).Split('\n');
            var converted = string.Join('\n', lines.Select(l => l.Length == 0 ? l : Convert(l)));
            _pending.SetLength(0);
            _pending.Write(data, end + 1, data.Length - end - 1);
            await WriteRawAsync(Encoding.UTF8.GetBytes(converted), ct);
        }

        private async Task WriteRawAsync(byte[] bytes, CancellationToken ct)
        {
            if (bytes.Length > 0)
                await inner.WriteAsync(bytes, ct);
        }

        private static string Convert(string text)
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                return text; // not JSON (e.g. YAML was asked for): passed as it is
            }
            if (node is not JsonObject document)
                return text;
            switch ((string?)document["kind"])
            {
                case "HorizontalPodAutoscaler":
                    return HpaV1Conversion.ToV1(document).ToJsonString();
                case "HorizontalPodAutoscalerList":
                    document["apiVersion"] = HpaV1Conversion.V1;
                    if (document["items"] is JsonArray items)
                    {
                        for (var i = 0; i < items.Count; i++)
                        {
                            if (items[i] is JsonObject item)
                                items[i] = HpaV1Conversion.ToV1(item);
                        }
                    }
                    return document.ToJsonString();
                default:
                    if (document["type"] is not null && document["object"] is JsonObject { } obj && (string?)obj["kind"] == "HorizontalPodAutoscaler")
                    {
                        document["object"] = HpaV1Conversion.ToV1(obj);
                        return document.ToJsonString();
                    }
                    return text;
            }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _pending.Dispose();
            base.Dispose(disposing);
        }
    }
}
