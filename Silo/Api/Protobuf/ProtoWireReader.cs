namespace Granary.Silo.Api.Protobuf;

/// <summary>A body that is not valid protobuf: the decoder turns it into a 400 naming where it broke.</summary>
internal sealed class ProtobufFormatException(string message) : Exception(message);

/// <summary>The protobuf wire types (https://protobuf.dev/programming-guides/encoding/).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// Reads protobuf's wire format from a buffer: tags, varints, fixed-width values and length-delimited bytes. Every
/// read is bounds-checked; a truncated or overlong value throws <see cref="ProtobufFormatException"/> with its offset.
/// </summary>
internal ref struct ProtoWireReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;

    public int Position { get; private set; }

    public readonly bool AtEnd => Position >= _buffer.Length;

    /// <summary>The next field's number and wire type.</summary>
    public (int Number, WireType Type) ReadTag()
    {
        var start = Position;
        var tag = ReadVarint();
        var number = tag >> 3;
        if (number is 0 or > 536_870_911)
            throw new ProtobufFormatException($"invalid field number {number} at byte {start}");
        var type = (WireType)(tag & 7);
        if (type > WireType.Fixed32)
            throw new ProtobufFormatException($"invalid wire type {(int)type} at byte {start}");
        return ((int)number, type);
    }

    public ulong ReadVarint()
    {
        var start = Position;
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (Position >= _buffer.Length)
                throw new ProtobufFormatException($"truncated varint at byte {start}");
            var b = _buffer[Position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new ProtobufFormatException($"varint longer than 10 bytes at byte {start}");
    }

    public ulong ReadFixed64() => BitConverter.ToUInt64(Take(8, "fixed64"));

    public uint ReadFixed32() => BitConverter.ToUInt32(Take(4, "fixed32"));

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var start = Position;
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - Position))
            throw new ProtobufFormatException($"length {length} at byte {start} runs past the end of the data ({_buffer.Length - Position} bytes left)");
        return Take((int)length, "bytes");
    }

    /// <summary>Skips a value of the given wire type (an unknown field's).</summary>
    public void Skip(WireType type)
    {
        switch (type)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8, "fixed64"); break;
            case WireType.Fixed32: Take(4, "fixed32"); break;
            case WireType.LengthDelimited: ReadLengthDelimited(); break;
            default: throw new ProtobufFormatException($"groups are not used by the Kubernetes API (wire type {(int)type} before byte {Position})");
        }
    }

    private ReadOnlySpan<byte> Take(int length, string what)
    {
        if (length > _buffer.Length - Position)
            throw new ProtobufFormatException($"truncated {what} at byte {Position}");
        var slice = _buffer.Slice(Position, length);
        Position += length;
        return slice;
    }
}
