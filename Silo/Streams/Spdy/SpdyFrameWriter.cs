using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Granary.Silo.Streams.Spdy;

/// <summary>
/// Writes SPDY/3 frames to a byte stream, one frame at a time: streams share the connection, and header blocks
/// must reach the peer's decompressor in the order they were compressed, so compressing and writing happen under
/// one lock. Each frame is one write (one WebSocket message when tunnelled) and is flushed at once.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The write lock never hands out its wait handle, so it holds nothing to release; writes that race the session's end must still be able to release it. The session owns the transport.")]
internal sealed class SpdyFrameWriter(Stream transport)
{
    private readonly SpdyHeaderCompressor _headers = new();
    private readonly SemaphoreSlim _lock = new(1, 1);

    public Task WriteSynReplyAsync(int streamId, bool fin, SpdyHeaders headers, CancellationToken ct) =>
        WriteHeaderFrameAsync(SpdyFrame.SynReplyType, streamId, fin, headers, fixedLength: 4, ct);

    /// <summary>SYN_STREAM, for tests that play the client (stream id, then associated id and priority left zero).</summary>
    public Task WriteSynStreamAsync(int streamId, bool fin, SpdyHeaders headers, CancellationToken ct) =>
        WriteHeaderFrameAsync(SpdyFrame.SynStreamType, streamId, fin, headers, fixedLength: 10, ct);

    /// <summary>A control frame of <paramref name="fixedLength"/> bytes (the stream id first) and a compressed header block.</summary>
    private Task WriteHeaderFrameAsync(ushort type, int streamId, bool fin, SpdyHeaders headers, int fixedLength, CancellationToken ct) =>
        WriteLockedAsync(() =>
        {
            var block = _headers.Compress(headers);
            var frame = Control(type, fin ? SpdyFrame.FlagFin : (byte)0, fixedLength + block.Length, out var payload);
            BinaryPrimitives.WriteInt32BigEndian(payload, streamId);
            block.CopyTo(payload[fixedLength..]);
            return frame;
        }, ct);

    public Task WriteRstStreamAsync(int streamId, SpdyRstStatus status, CancellationToken ct) =>
        WriteFixedAsync(SpdyFrame.RstStreamType, (uint)streamId, (uint)status, ct);

    public Task WritePingAsync(uint id, CancellationToken ct) =>
        WriteLockedAsync(() =>
        {
            var frame = Control(SpdyFrame.PingType, 0, 4, out var payload);
            BinaryPrimitives.WriteUInt32BigEndian(payload, id);
            return frame;
        }, ct);

    public Task WriteGoAwayAsync(int lastGoodStreamId, SpdyGoAwayStatus status, CancellationToken ct) =>
        WriteFixedAsync(SpdyFrame.GoAwayType, (uint)lastGoodStreamId, (uint)status, ct);

    public Task WriteWindowUpdateAsync(int streamId, int delta, CancellationToken ct) =>
        WriteFixedAsync(SpdyFrame.WindowUpdateType, (uint)streamId, (uint)delta, ct);

    public Task WriteDataAsync(int streamId, bool fin, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (data.Length > SpdyFrame.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, "a DATA frame holds at most 16 MiB; split the data");
        return WriteLockedAsync(() =>
        {
            var frame = Rent(8 + data.Length);
            BinaryPrimitives.WriteInt32BigEndian(frame, streamId & 0x7FFFFFFF);
            frame[4] = fin ? SpdyFrame.FlagFin : (byte)0;
            WriteLength(frame, data.Length);
            data.Span.CopyTo(frame.AsSpan(8));
            return (frame, 8 + data.Length);
        }, ct);
    }

    private Task WriteFixedAsync(ushort type, uint first, uint second, CancellationToken ct) =>
        WriteLockedAsync(() =>
        {
            var frame = Control(type, 0, 8, out var payload);
            BinaryPrimitives.WriteUInt32BigEndian(payload, first & 0x7FFFFFFF);
            BinaryPrimitives.WriteUInt32BigEndian(payload[4..], second);
            return frame;
        }, ct);

    private static (byte[] Buffer, int Length) Control(ushort type, byte flags, int length, out Span<byte> payload)
    {
        var frame = Rent(8 + length);
        BinaryPrimitives.WriteUInt16BigEndian(frame, 0x8000 | SpdyFrame.Version);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), type);
        frame[4] = flags;
        WriteLength(frame, length);
        payload = frame.AsSpan(8, length);
        return (frame, 8 + length);
    }

    private static byte[] Rent(int length) => ArrayPool<byte>.Shared.Rent(length);

    private static void WriteLength(byte[] frame, int length)
    {
        frame[5] = (byte)(length >> 16);
        frame[6] = (byte)(length >> 8);
        frame[7] = (byte)length;
    }

    /// <summary>Builds the frame under the lock (header compression is ordered), writes and flushes it.</summary>
    private async Task WriteLockedAsync(Func<(byte[] Buffer, int Length)> build, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        byte[]? buffer = null;
        try
        {
            (buffer, var length) = build();
            await transport.WriteAsync(buffer.AsMemory(0, length), ct);
            await transport.FlushAsync(ct);
        }
        finally
        {
            if (buffer is not null)
                ArrayPool<byte>.Shared.Return(buffer);
            _lock.Release();
        }
    }
}
