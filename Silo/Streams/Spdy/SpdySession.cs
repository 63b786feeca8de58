using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Granary.Silo.Streams.Spdy;

/// <summary>
/// The server side of a SPDY/3.1 connection as kubectl (client-go's spdystream) speaks it for port-forward, exec and
/// attach: the peer opens every stream (odd ids), each is answered SYN_REPLY at once and handed to
/// <see cref="AcceptStreamAsync"/>; PINGs are echoed; GOAWAY or the end of the connection ends every stream.
/// <para>
/// Flow control: what a stream receives is buffered up to a limit, past which reading the connection waits for that
/// stream's reader (as spdystream itself does); WINDOW_UPDATE tells the peer what was taken. The peer's windows are
/// not enforced on what this side sends: spdystream never sends WINDOW_UPDATE, so a sender that waited for one would
/// stall after 64 KiB; kube-apiserver and the kubelet do not wait either.
/// </para>
/// </summary>
internal sealed partial class SpdySession(Stream transport, ILogger logger) : IAsyncDisposable
{
    /// <summary>What one stream may hold unread before the connection's reading waits for it.</summary>
    private const long StreamBuffer = 1024 * 1024;

    /// <summary>Received bytes are acknowledged (WINDOW_UPDATE) in batches of this much: half the initial 64 KiB window.</summary>
    private const int WindowBatch = 32 * 1024;

    private readonly SpdyFrameReader _reader = new(transport);
    private readonly SpdyFrameWriter _writer = new(transport);
    private readonly ConcurrentDictionary<int, SpdyStream> _streams = new();
    private readonly Dictionary<int, int> _unacknowledged = [];
    private readonly Channel<SpdyStream> _accepted = Channel.CreateUnbounded<SpdyStream>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _closed = new();
    private int _lastStreamId;
    private int _goingAway;

    /// <summary>Cancelled when the connection has ended.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>The next stream the peer opened; null when the session has ended.</summary>
    public async ValueTask<SpdyStream?> AcceptStreamAsync(CancellationToken ct) =>
        await _accepted.Reader.WaitToReadAsync(ct) && _accepted.Reader.TryRead(out var stream) ? stream : null;

    /// <summary>Reads frames until the peer ends the connection, sends GOAWAY, or breaks the protocol.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (await _reader.ReadAsync(ct) is { } frame)
            {
                if (!await HandleAsync(frame, ct))
                    break;
            }
        }
        catch (SpdyProtocolException e)
        {
            LogProtocolError(logger, e.Message);
            await TryAsync(() => _writer.WriteGoAwayAsync(_lastStreamId, SpdyGoAwayStatus.ProtocolError, ct));
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            LogConnectionEnded(logger, e.Message);
        }
        finally
        {
            End();
        }
    }

    private async ValueTask<bool> HandleAsync(SpdyFrame frame, CancellationToken ct)
    {
        switch (frame)
        {
            case SpdySynStream syn:
                await OpenAsync(syn, ct);
                return true;
            case SpdyData data:
                await DeliverAsync(data, ct);
                return true;
            case SpdyRstStream rst:
                if (_streams.TryGetValue(rst.StreamId, out var reset))
                    reset.RemoteReset();
                return true;
            case SpdyHeadersFrame { Fin: true } headers:
                if (_streams.TryGetValue(headers.StreamId, out var finished))
                    finished.EndInput();
                return true;
            case SpdyPing ping:
                // The client's pings have odd ids; an even one would answer a ping of ours, and this side sends none.
                if (ping.Id % 2 == 1)
                    await _writer.WritePingAsync(ping.Id, ct);
                return true;
            case SpdyGoAway:
                return false;
            default:
                // SETTINGS, WINDOW_UPDATE (see the class note), HEADERS without FIN and unknown control frames change nothing here.
                return true;
        }
    }

    private async Task OpenAsync(SpdySynStream syn, CancellationToken ct)
    {
        // spdystream numbers a stream before it takes its turn to write, so streams opened at once may arrive out of order.
        if (syn.StreamId % 2 == 0 || syn.StreamId == 0 || _streams.ContainsKey(syn.StreamId))
            throw new SpdyProtocolException($"SYN_STREAM with stream id {syn.StreamId}: a client's stream ids are odd and not in use");
        _lastStreamId = Math.Max(_lastStreamId, syn.StreamId);
        if (Volatile.Read(ref _goingAway) != 0)
        {
            await _writer.WriteRstStreamAsync(syn.StreamId, SpdyRstStatus.RefusedStream, ct);
            return;
        }
        var stream = new SpdyStream(this, syn.StreamId, syn.Headers, StreamBuffer);
        _streams[syn.StreamId] = stream;
        await _writer.WriteSynReplyAsync(syn.StreamId, fin: false, SpdyHeaders.Empty, ct);
        if (syn.Fin)
            stream.EndInput();
        LogStreamOpened(logger, syn.StreamId, syn.Headers.ToString());
        _accepted.Writer.TryWrite(stream);
    }

    private async Task DeliverAsync(SpdyData data, CancellationToken ct)
    {
        if (!_streams.TryGetValue(data.StreamId, out var stream))
        {
            // Data on a stream that ended here (reset, or both sides closed): the peer did not know yet.
            if (data.StreamId > _lastStreamId)
                throw new SpdyProtocolException($"DATA on stream {data.StreamId}, which was never opened");
            return;
        }
        await stream.DeliverAsync(data.Data, ct);
        if (data.Fin)
            stream.EndInput();
        if (data.Data.Length > 0 && !data.Fin)
        {
            var pending = _unacknowledged.GetValueOrDefault(data.StreamId) + data.Data.Length;
            if (pending >= WindowBatch)
            {
                await _writer.WriteWindowUpdateAsync(data.StreamId, pending, ct);
                pending = 0;
            }
            _unacknowledged[data.StreamId] = pending;
        }
    }

    internal async Task SendDataAsync(SpdyStream stream, ReadOnlyMemory<byte> data, bool fin, CancellationToken ct)
    {
        if (_closed.IsCancellationRequested)
            return;
        await _writer.WriteDataAsync(stream.Id, fin, data, ct);
    }

    internal async Task SendResetAsync(SpdyStream stream, SpdyRstStatus status, CancellationToken ct)
    {
        if (!_closed.IsCancellationRequested)
            await TryAsync(() => _writer.WriteRstStreamAsync(stream.Id, status, ct));
    }

    /// <summary>A stream both sides have finished with (or reset) leaves the table.</summary>
    internal void Forget(SpdyStream stream)
    {
        if (stream.WriteClosed && stream.InputEnded)
            _streams.TryRemove(stream.Id, out _);
    }

    /// <summary>Tells the peer no new streams are taken (GOAWAY OK); streams already open go on.</summary>
    public async Task GoAwayAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _goingAway, 1) == 0 && !_closed.IsCancellationRequested)
            await TryAsync(() => _writer.WriteGoAwayAsync(_lastStreamId, SpdyGoAwayStatus.Ok, ct));
    }

    private void End()
    {
        _accepted.Writer.TryComplete();
        foreach (var stream in _streams.Values)
            stream.RemoteReset();
        _closed.Cancel();
    }

    /// <summary>Writes that race the connection's end: losing them is fine, the peer is gone.</summary>
    private async Task TryAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            LogConnectionEnded(logger, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        End();
        await transport.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "SPDY stream {StreamId} opened: {Headers}")]
    private static partial void LogStreamOpened(ILogger logger, int streamId, string headers);

    [LoggerMessage(Level = LogLevel.Information, Message = "SPDY session ended on a protocol error: {Reason}")]
    private static partial void LogProtocolError(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SPDY connection ended: {Reason}")]
    private static partial void LogConnectionEnded(ILogger logger, string reason);
}
