using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;

namespace Granary.Silo.Streams.Spdy;

/// <summary>
/// One stream of a <see cref="SpdySession"/> that the peer opened (the session has already answered SYN_REPLY).
/// <see cref="Input"/> holds what the peer sends, and completes at its FIN or a reset. Writes go out as DATA frames;
/// <see cref="CloseWriteAsync"/> sends FIN. Writes after a reset or the session's end are dropped: the peer is gone.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The reset source has no timer, link or wait handle, so it holds nothing to release; its token is handed to the stream's users, who may read it after the session has ended.")]
internal sealed class SpdyStream
{
    /// <summary>A single DATA frame carries at most this much, so one stream cannot hold the connection for long.</summary>
    private const int MaxChunk = 32 * 1024;

    private readonly SpdySession _session;
    private readonly Pipe _input;
    private readonly CancellationTokenSource _reset = new();
    private int _writeClosed;

    internal SpdyStream(SpdySession session, int id, SpdyHeaders headers, long inputLimit)
    {
        _session = session;
        Id = id;
        Headers = headers;
        _input = new Pipe(new PipeOptions(pauseWriterThreshold: inputLimit, resumeWriterThreshold: inputLimit / 2, useSynchronizationContext: false));
    }

    public int Id { get; }

    public SpdyHeaders Headers { get; }

    /// <summary>What the peer sent on the stream, ending at its FIN (or a reset, or the session's end).</summary>
    public PipeReader Input => _input.Reader;

    /// <summary>Cancelled when the peer resets the stream or the session ends.</summary>
    public CancellationToken Reset => _reset.Token;

    internal bool InputEnded { get; private set; }

    internal bool WriteClosed => Volatile.Read(ref _writeClosed) != 0;

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (!data.IsEmpty && !WriteClosed && !_reset.IsCancellationRequested)
        {
            var chunk = data[..Math.Min(MaxChunk, data.Length)];
            await _session.SendDataAsync(this, chunk, fin: false, ct);
            data = data[chunk.Length..];
        }
    }

    /// <summary>Ends this side of the stream (DATA with FIN); once only.</summary>
    public async Task CloseWriteAsync(CancellationToken ct)
    {
        if (_reset.IsCancellationRequested || Interlocked.Exchange(ref _writeClosed, 1) != 0)
            return;
        await _session.SendDataAsync(this, ReadOnlyMemory<byte>.Empty, fin: true, ct);
        _session.Forget(this);
    }

    /// <summary>Abandons the stream (RST_STREAM CANCEL): the peer learns it will get nothing more.</summary>
    public async Task ResetAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _writeClosed, 1) != 0 && _reset.IsCancellationRequested)
            return;
        await _session.SendResetAsync(this, SpdyRstStatus.Cancel, ct);
        RemoteReset();
    }

    /// <summary>Data from the peer; waits while the stream's reader is a full buffer behind (see SpdySession).</summary>
    internal async ValueTask DeliverAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (InputEnded || data.IsEmpty)
            return;
        await _input.Writer.WriteAsync(data, ct);
    }

    internal void EndInput()
    {
        if (InputEnded)
            return;
        InputEnded = true;
        _input.Writer.Complete();
    }

    internal void RemoteReset()
    {
        Volatile.Write(ref _writeClosed, 1);
        EndInput();
        _reset.Cancel();
        _session.Forget(this);
    }
}
