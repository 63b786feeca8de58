using System.Diagnostics;
using System.Text;

namespace Granary.Hostile;

/// <summary>
/// Slowloris: connections that send their headers, or their body, a few bytes at a time. The HTTP server must
/// drop them (Kestrel's RequestHeadersTimeout, 30 s, and MinRequestBodyDataRate, 240 B/s after 5 s) rather than
/// hold them for ever, and serve everyone else meanwhile. Each connection is an outcome: a 408 or a closed
/// connection within <see cref="Deadline"/> is right; a connection still open then is wrong.
/// </summary>
public static class SlowClients
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(50);
    private static readonly TimeSpan Trickle = TimeSpan.FromSeconds(1);

    public static async Task<IReadOnlyList<HostileOutcome>> RunAsync(HostileTarget target, string ns, int connections, CancellationToken ct)
    {
        var tasks = new List<Task<HostileOutcome>>();
        for (var i = 0; i < connections; i++)
        {
            tasks.Add(SlowHeadersAsync(target, ns, ct));
            tasks.Add(SlowBodyAsync(target, ns, ct));
        }
        return await Task.WhenAll(tasks);
    }

    private static Task<HostileOutcome> SlowHeadersAsync(HostileTarget target, string ns, CancellationToken ct)
    {
        var request = new HostileRequest("slow-clients", "headers one line a second", "GET", $"/api/v1/namespaces/{ns}/configmaps", null, null, [], StatusBodyOptional: true);
        var head = Encoding.Latin1.GetBytes($"GET {request.Path} HTTP/1.1\r\nHost: {target.Server.Authority}\r\n");
        return TrickleAsync(target, request, head, i => Encoding.Latin1.GetBytes($"X-Slow-{i}: {i}\r\n"), ct);
    }

    private static Task<HostileOutcome> SlowBodyAsync(HostileTarget target, string ns, CancellationToken ct)
    {
        var request = new HostileRequest("slow-clients", "a body of one byte a second", "POST", $"/api/v1/namespaces/{ns}/configmaps?dryRun=All", "application/json", null, [], StatusBodyOptional: true);
        var auth = target.Token is null ? "" : $"Authorization: Bearer {target.Token}\r\n";
        var head = Encoding.Latin1.GetBytes($"POST {request.Path} HTTP/1.1\r\nHost: {target.Server.Authority}\r\n{auth}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
        return TrickleAsync(target, request, head, _ => " "u8.ToArray(), ct);
    }

    /// <summary>Sends the head, then one piece a second until the server answers or closes, or the deadline passes.</summary>
    private static async Task<HostileOutcome> TrickleAsync(HostileTarget target, HostileRequest request, byte[] head, Func<int, byte[]> piece, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await using var stream = await target.ConnectAsync(ct);
            await stream.WriteAsync(head, ct);
            await stream.FlushAsync(ct);
            var buffer = new byte[16 * 1024];
            var read = stream.ReadAsync(buffer, ct).AsTask();
            for (var i = 0; clock.Elapsed < Deadline; i++)
            {
                if (await Task.WhenAny(read, Task.Delay(Trickle, ct)) == read)
                {
                    var answered = read.IsCompletedSuccessfully && read.Result > 0 ? HostileTarget.Parse(buffer[..read.Result]).StatusCode : 0;
                    return new HostileOutcome(request, answered, answered is 0 or 408 or 400 ? null : $"answered {answered} to a request that never finished");
                }
                try
                {
                    await stream.WriteAsync(piece(i), ct);
                    await stream.FlushAsync(ct);
                }
                catch (IOException)
                {
                    // Closed by the server: the read says so next.
                }
            }
            return new HostileOutcome(request, 0, $"still open after {Deadline.TotalSeconds:0} s: the server does not drop slow clients");
        }
        catch (IOException)
        {
            return new HostileOutcome(request, 0, null);
        }
    }
}
