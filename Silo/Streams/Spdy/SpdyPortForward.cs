using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Granary.Errors;

namespace Granary.Silo.Streams.Spdy;

/// <summary>
/// kubectl port-forward over a SPDY session (the portforward.k8s.io protocol): for each local connection kubectl opens
/// an error stream and a data stream carrying the same requestID and remote port. Each such pair gets its own
/// WebSocket to the pod's agent for that port, and is bridged to it: data both ways, the agent's error text (a
/// refused port) on the error stream, and the end of either side passed on. A pair ends alone; the session ends when
/// kubectl closes the connection.
/// </summary>
internal sealed partial class SpdyPortForward(SpdySession session, AgentDialer dialer, string node, string @namespace, string pod, ILogger logger)
{
    /// <summary>What port-forward is called in X-Stream-Protocol-Version (and after "SPDY/3.1+" in a WebSocket tunnel).</summary>
    public const string Protocol = "portforward.k8s.io";

    private const string AgentProtocol = "v4.channel.k8s.io";
    private const byte DataChannel = 0, ErrorChannel = 1;

    public async Task RunAsync(CancellationToken ct)
    {
        var reading = session.RunAsync(ct);
        var pending = new Dictionary<string, (SpdyStream? Error, SpdyStream? Data)>(StringComparer.Ordinal);
        var bridges = new List<Task>();
        while (await session.AcceptStreamAsync(ct) is { } stream)
        {
            if (Describe(stream) is not { } request)
            {
                LogStreamRefused(logger, @namespace, pod, stream.Headers.ToString());
                await stream.ResetAsync(ct);
                continue;
            }
            var pair = pending.GetValueOrDefault(request.Id);
            pair = request.IsError ? pair with { Error = stream } : pair with { Data = stream };
            if (pair is { Error: { } error, Data: { } data })
            {
                pending.Remove(request.Id);
                bridges.Add(BridgeAsync(request.Port, error, data, ct));
            }
            else
            {
                pending[request.Id] = pair;
            }
        }
        await reading;
        await Task.WhenAll(bridges);
    }

    /// <summary>The pair a stream belongs to, or null when its headers are not port-forward's.</summary>
    private static (string Id, ushort Port, bool IsError)? Describe(SpdyStream stream)
    {
        var type = stream.Headers["streamtype"];
        if (type is not ("error" or "data"))
            return null;
        if (!ushort.TryParse(stream.Headers["port"], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
            return null;
        // Clients older than requestID sent each pair on consecutive streams: error, then data.
        var id = stream.Headers["requestid"] ?? ((stream.Id + (type == "error" ? 2 : 0)) / 4).ToString(CultureInfo.InvariantCulture);
        return (id, port, type == "error");
    }

    private async Task BridgeAsync(ushort port, SpdyStream error, SpdyStream data, CancellationToken ct)
    {
        // Nothing is read from the error stream: kubectl closes its side at once.
        await error.Input.CompleteAsync();
        using var agent = await DialAgentAsync(port, error, ct);
        if (agent is null)
        {
            await EndAsync(error, data, ct);
            return;
        }
        using var pair = CancellationTokenSource.CreateLinkedTokenSource(ct, data.Reset);
        var upload = UploadAsync(data.Input, agent, pair.Token);
        var prefix = new PortPrefixes();
        await ChannelSocket.ReadAsync(agent, (channel, bytes) => prefix.Strip(channel, bytes) is { IsEmpty: false } payload
            ? channel switch
            {
                DataChannel => data.WriteAsync(payload, pair.Token),
                ErrorChannel => error.WriteAsync(payload, pair.Token),
                _ => Task.CompletedTask,
            }
            : Task.CompletedTask, pair.Token);
        await pair.CancelAsync();
        await upload;
        await ChannelSocket.CloseOutputAsync(agent, CancellationToken.None);
        await EndAsync(error, data, ct);
    }

    /// <summary>The agent's socket for one port, or null when the agent cannot be reached (kubectl has been told why on the error stream).</summary>
    private async Task<WebSocket?> DialAgentAsync(ushort port, SpdyStream error, CancellationToken ct)
    {
        try
        {
            return await dialer.ConnectWebSocketAsync(node, $"portForward/{Uri.EscapeDataString(@namespace)}/{Uri.EscapeDataString(pod)}?port={port}", [AgentProtocol], ct);
        }
        catch (ServiceUnavailableException e)
        {
            LogAgentUnreachable(logger, @namespace, pod, port, e.Message);
            await error.WriteAsync(Encoding.UTF8.GetBytes($"error forwarding port {port} to pod {@namespace}/{pod}: {e.Message}"), ct);
            return null;
        }
    }

    /// <summary>kubectl's bytes to the agent's data channel; kubectl's FIN becomes the close of the agent's input.</summary>
    private static async Task UploadAsync(PipeReader input, WebSocket agent, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(ct);
                foreach (var segment in read.Buffer)
                    await ChannelSocket.SendAsync(agent, DataChannel, new ReadOnlySequence<byte>(segment), ct);
                input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                    break;
            }
            await ChannelSocket.CloseOutputAsync(agent, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The pair has ended (the pod's side closed, or kubectl reset the stream).
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    private static async Task EndAsync(SpdyStream error, SpdyStream data, CancellationToken ct)
    {
        try
        {
            await data.CloseWriteAsync(ct);
            await error.CloseWriteAsync(ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or WebSocketException)
        {
            // The connection is gone: kubectl has nothing left to learn.
        }
    }

    /// <summary>The agent starts each channel with its port (2 bytes); kubectl's streams carry data only.</summary>
    private sealed class PortPrefixes
    {
        private readonly int[] _left = [2, 2];

        public ReadOnlyMemory<byte> Strip(byte channel, ReadOnlyMemory<byte> data)
        {
            if (channel >= _left.Length || _left[channel] == 0)
                return data;
            var skip = Math.Min(_left[channel], data.Length);
            _left[channel] -= skip;
            return data[skip..];
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Port-forward to pod {Namespace}/{Pod}: a stream without port-forward's headers was refused: {Headers}")]
    private static partial void LogStreamRefused(ILogger logger, string @namespace, string pod, string headers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Port-forward to pod {Namespace}/{Pod} port {Port}: the agent cannot be reached: {Reason}")]
    private static partial void LogAgentUnreachable(ILogger logger, string @namespace, string pod, int port, string reason);
}
