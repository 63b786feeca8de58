using System.Globalization;
using Granary.Api;
using Granary.Errors;

namespace Granary.Silo.Api;

/// <summary>
/// GET /api/v1/namespaces/{ns}/pods/{name}/log: the container's output as text/plain, read from its node agent
/// through the pod grain. With follow=true the stream stays open, one long poll after another, flushed per chunk,
/// until the container stops or the client goes. Errors before the first byte are Status objects.
/// </summary>
internal static class PodLogs
{
    private static readonly TimeSpan FollowWait = TimeSpan.FromSeconds(10);

    public static async Task WriteAsync(HttpContext context, IGrainFactory grains, TimeProvider time, ResourcePath path)
    {
        var q = context.Request.Query;
        var follow = Bool(q["follow"]);
        var timestamps = Bool(q["timestamps"]);
        DateTimeOffset? since = null;
        if (Int(q["sinceSeconds"], "sinceSeconds") is { } seconds)
            since = time.GetUtcNow() - TimeSpan.FromSeconds(seconds);
        if (q["sinceTime"].ToString() is { Length: > 0 } sinceTime)
        {
            since = DateTimeOffset.TryParse(sinceTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                ? t
                : throw new BadRequestException($"sinceTime \"{sinceTime}\" is not an RFC 3339 time");
        }
        if (q["limitBytes"].Count > 0)
            throw new BadRequestException("limitBytes is not supported by this server");
        var request = new PodLogRequest
        {
            Container = q["container"].ToString() is { Length: > 0 } c ? c : null,
            TailLines = Int(q["tailLines"], "tailLines"),
            SinceTime = since,
            Previous = Bool(q["previous"]),
        };
        var grain = grains.GetGrain<IPodGrain>(path.Resource.Kind.KeyOf(path.Namespace, path.Name!));
        var ct = context.RequestAborted;
        // The first read happens before the response starts, so its failure is a Status (404, 400, 503).
        var chunk = await grain.ReadLogsAsync(request).WaitAsync(ct);
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync(ct);
        while (true)
        {
            foreach (var line in chunk.Lines)
            {
                var text = timestamps
                    ? $"{line.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)} {line.Text}\n"
                    : $"{line.Text}\n";
                await context.Response.WriteAsync(text, ct);
            }
            await context.Response.Body.FlushAsync(ct);
            if (!follow || (!chunk.Running && chunk.Lines.IsEmpty))
                return;
            request = request with
            {
                TailLines = null,
                SinceTime = chunk.Lines.IsEmpty ? request.SinceTime : chunk.Lines[^1].Timestamp,
                Wait = FollowWait,
            };
            try
            {
                chunk = await grain.ReadLogsAsync(request).WaitAsync(ct);
            }
            catch (GranaryException)
            {
                // The pod or its agent went away mid-stream: the log simply ends, as kubectl logs -f expects.
                return;
            }
        }
    }

    private static bool Bool(string? value) => value is "true" or "1" or "True";

    private static int? Int(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new BadRequestException($"{name} \"{value}\" is not a non-negative integer");
    }
}
