using System.Collections.Immutable;

namespace Granary.Silo.Streams.Spdy;

/// <summary>A SPDY/3 stream's headers: lower-case names; several values of one name are joined by NUL, as on the wire.</summary>
internal sealed class SpdyHeaders(ImmutableDictionary<string, string> values)
{
    public static readonly SpdyHeaders Empty = new(ImmutableDictionary<string, string>.Empty);

    public ImmutableDictionary<string, string> Values => values;

    public string? this[string name] => values.GetValueOrDefault(name);

    public static SpdyHeaders Of(params (string Name, string Value)[] pairs) =>
        new(pairs.ToImmutableDictionary(p => p.Name.ToLowerInvariant(), p => p.Value, StringComparer.Ordinal));

    public override string ToString() => string.Join(", ", values.Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>The frames of SPDY/3 (draft-mbelshe-httpbis-spdy-00, section 2.6) that a server session reads and writes.</summary>
internal abstract record SpdyFrame
{
    public const int Version = 3;

    /// <summary>Control frame types.</summary>
    public const ushort SynStreamType = 1, SynReplyType = 2, RstStreamType = 3, SettingsType = 4, PingType = 6,
        GoAwayType = 7, HeadersType = 8, WindowUpdateType = 9;

    /// <summary>FLAG_FIN: the sender's half of the stream ends with this frame.</summary>
    public const byte FlagFin = 0x01;

    /// <summary>FLAG_UNIDIRECTIONAL on SYN_STREAM: the receiver must not send on the stream.</summary>
    public const byte FlagUnidirectional = 0x02;

    /// <summary>The largest frame payload (24-bit length).</summary>
    public const int MaxLength = 0xFFFFFF;
}

internal sealed record SpdySynStream(int StreamId, int AssociatedStreamId, byte Priority, bool Fin, bool Unidirectional, SpdyHeaders Headers) : SpdyFrame;

internal sealed record SpdySynReply(int StreamId, bool Fin, SpdyHeaders Headers) : SpdyFrame;

internal sealed record SpdyHeadersFrame(int StreamId, bool Fin, SpdyHeaders Headers) : SpdyFrame;

internal sealed record SpdyRstStream(int StreamId, SpdyRstStatus Status) : SpdyFrame;

internal sealed record SpdySettings(ImmutableArray<(byte Flags, int Id, uint Value)> Entries) : SpdyFrame;

internal sealed record SpdyPing(uint Id) : SpdyFrame;

internal sealed record SpdyGoAway(int LastGoodStreamId, SpdyGoAwayStatus Status) : SpdyFrame;

internal sealed record SpdyWindowUpdate(int StreamId, int Delta) : SpdyFrame;

/// <summary>A DATA frame. <see cref="Data"/> is only valid until the next frame is read: copy what must be kept.</summary>
internal sealed record SpdyData(int StreamId, bool Fin, ReadOnlyMemory<byte> Data) : SpdyFrame;

/// <summary>A control frame type this session does not know (CREDENTIAL, …); the specification says to ignore it.</summary>
internal sealed record SpdyUnknownControl(ushort Type) : SpdyFrame;

internal enum SpdyRstStatus : uint
{
    ProtocolError = 1,
    InvalidStream = 2,
    RefusedStream = 3,
    UnsupportedVersion = 4,
    Cancel = 5,
    InternalError = 6,
    FlowControlError = 7,
    StreamInUse = 8,
    StreamAlreadyClosed = 9,
    FrameTooLarge = 11,
}

internal enum SpdyGoAwayStatus : uint
{
    Ok = 0,
    ProtocolError = 1,
    InternalError = 2,
}

/// <summary>The peer broke the protocol: the session ends with GOAWAY PROTOCOL_ERROR.</summary>
internal sealed class SpdyProtocolException(string message) : Exception(message);
