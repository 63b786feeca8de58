using System.Buffers.Binary;
using System.Collections.Immutable;

namespace Granary.Silo.Streams.Spdy;

/// <summary>
/// Reads SPDY/3 frames from a byte stream (an upgraded HTTP/1.1 connection, or WebSocket binary messages read as
/// one stream). Header blocks go through the session's one decompressor in the order they arrive, frames this
/// session ignores included, so its zlib state stays in step with the peer's.
/// </summary>
internal sealed class SpdyFrameReader(Stream transport)
{
    /// <summary>Larger frames end the session: kubectl's frames are at most a copy buffer (32 KiB).</summary>
    public const int MaxFrame = 1024 * 1024;

    private readonly SpdyHeaderDecompressor _headers = new();
    private readonly byte[] _head = new byte[8];
    private byte[] _payload = new byte[16 * 1024];

    /// <summary>The next frame; null when the peer closed the connection between frames.</summary>
    /// <exception cref="SpdyProtocolException">The bytes are not SPDY/3.</exception>
    /// <exception cref="EndOfStreamException">The connection ended inside a frame.</exception>
    public async ValueTask<SpdyFrame?> ReadAsync(CancellationToken ct)
    {
        var first = await transport.ReadAtLeastAsync(_head, _head.Length, throwOnEndOfStream: false, ct);
        if (first == 0)
            return null;
        if (first < _head.Length)
            throw new EndOfStreamException("the connection ended inside a SPDY frame header");
        var flags = _head[4];
        var length = (_head[5] << 16) | (_head[6] << 8) | _head[7];
        if (length > MaxFrame)
            throw new SpdyProtocolException($"a frame of {length} bytes is larger than the {MaxFrame} this server takes");
        if (_payload.Length < length)
            _payload = new byte[Math.Max(length, _payload.Length * 2)];
        await transport.ReadExactlyAsync(_payload.AsMemory(0, length), ct);
        var payload = _payload.AsMemory(0, length);

        if ((_head[0] & 0x80) == 0)
            return new SpdyData(StreamId(_head), (flags & SpdyFrame.FlagFin) != 0, payload);
        var version = BinaryPrimitives.ReadUInt16BigEndian(_head) & 0x7FFF;
        if (version != SpdyFrame.Version)
            throw new SpdyProtocolException($"a control frame of SPDY version {version}; this server speaks SPDY/3.1");
        var type = BinaryPrimitives.ReadUInt16BigEndian(_head.AsSpan(2));
        return Control(type, flags, payload.Span);
    }

    private SpdyFrame Control(ushort type, byte flags, ReadOnlySpan<byte> p)
    {
        var fin = (flags & SpdyFrame.FlagFin) != 0;
        switch (type)
        {
            case SpdyFrame.SynStreamType:
                Require(p, 10, "SYN_STREAM");
                return new SpdySynStream(StreamId(p), StreamId(p[4..]), (byte)(p[8] >> 5), fin,
                    (flags & SpdyFrame.FlagUnidirectional) != 0, _headers.Decompress(p[10..]));
            case SpdyFrame.SynReplyType:
                Require(p, 4, "SYN_REPLY");
                return new SpdySynReply(StreamId(p), fin, _headers.Decompress(p[4..]));
            case SpdyFrame.HeadersType:
                Require(p, 4, "HEADERS");
                return new SpdyHeadersFrame(StreamId(p), fin, _headers.Decompress(p[4..]));
            case SpdyFrame.RstStreamType:
                Require(p, 8, "RST_STREAM");
                return new SpdyRstStream(StreamId(p), (SpdyRstStatus)BinaryPrimitives.ReadUInt32BigEndian(p[4..]));
            case SpdyFrame.SettingsType:
                Require(p, 4, "SETTINGS");
                var count = BinaryPrimitives.ReadInt32BigEndian(p);
                if (count < 0 || p.Length < 4 + 8L * count)
                    throw new SpdyProtocolException($"a SETTINGS frame of {p.Length} bytes cannot hold {count} entries");
                var entries = ImmutableArray.CreateBuilder<(byte, int, uint)>(count);
                for (var i = 0; i < count; i++)
                {
                    var entry = p.Slice(4 + 8 * i, 8);
                    entries.Add((entry[0], BinaryPrimitives.ReadInt32BigEndian(entry) & 0xFFFFFF, BinaryPrimitives.ReadUInt32BigEndian(entry[4..])));
                }
                return new SpdySettings(entries.MoveToImmutable());
            case SpdyFrame.PingType:
                Require(p, 4, "PING");
                return new SpdyPing(BinaryPrimitives.ReadUInt32BigEndian(p));
            case SpdyFrame.GoAwayType:
                Require(p, 4, "GOAWAY");
                return new SpdyGoAway(StreamId(p), p.Length >= 8 ? (SpdyGoAwayStatus)BinaryPrimitives.ReadUInt32BigEndian(p[4..]) : SpdyGoAwayStatus.Ok);
            case SpdyFrame.WindowUpdateType:
                Require(p, 8, "WINDOW_UPDATE");
                return new SpdyWindowUpdate(StreamId(p), StreamId(p[4..]));
            default:
                return new SpdyUnknownControl(type);
        }
    }

    private static void Require(ReadOnlySpan<byte> payload, int length, string frame)
    {
        if (payload.Length < length)
            throw new SpdyProtocolException($"a {frame} frame of {payload.Length} bytes is shorter than its {length} fixed bytes");
    }

    private static int StreamId(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt32BigEndian(bytes) & 0x7FFFFFFF;
}
