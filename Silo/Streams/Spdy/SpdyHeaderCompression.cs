using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace Granary.Silo.Streams.Spdy;

/// <summary>
/// The header blocks of one direction of a SPDY/3 session: a name/value block (a count, then length-prefixed names
/// and values) inside one zlib stream for the whole session, with SPDY's dictionary named in its header.
/// <para>
/// What this side sends goes in a stored (uncompressed) deflate block, then an empty stored block: the marker that
/// zlib's Z_SYNC_FLUSH ends with, on which Go's inflater hands over what it has decoded. client-go's framer checks
/// that a frame's header block is read to its last byte, and Go's inflater reads exactly these bytes and no further.
/// (A general-purpose deflater's flush without that marker leaves Go waiting for more, and the next frame fails.)
/// The headers sent here (an empty SYN_REPLY) are a few bytes, so compressing them gains nothing. What the peer
/// sends is inflated with the dictionary (SharpZipLib's inflater; the framework's cannot take a preset dictionary).
/// Neither side may be used from two threads at a time.
/// </para>
/// </summary>
internal sealed class SpdyHeaderCompressor
{
    /// <summary>An empty stored block that is not the last: 3 header bits, padding, length 0 and its complement.</summary>
    private static readonly byte[] SyncMarker = [0x00, 0x00, 0x00, 0xFF, 0xFF];

    private bool _started;

    public byte[] Compress(SpdyHeaders headers)
    {
        var block = Encode(headers);
        if (block.Length > ushort.MaxValue)
            throw new ArgumentException($"a header block of {block.Length} bytes is larger than one stored deflate block (65535)", nameof(headers));
        var output = new byte[(_started ? 0 : 6) + 5 + block.Length + SyncMarker.Length];
        var at = 0;
        if (!_started)
        {
            // CMF (deflate, 32 KiB window) and FLG with FDICT and the check bits, then the dictionary's Adler-32 (RFC 1950).
            output[0] = 0x78;
            output[1] = 0xBB;
            BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(2), Adler32(SpdyDictionary.Bytes));
            at = 6;
            _started = true;
        }
        // A stored block that is not the last (BFINAL 0, BTYPE 00), its length and the length's complement (RFC 1951 3.2.4).
        output[at] = 0x00;
        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(at + 1), (ushort)block.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(at + 3), (ushort)~block.Length);
        block.CopyTo(output.AsSpan(at + 5));
        SyncMarker.CopyTo(output.AsSpan(at + 5 + block.Length));
        return output;
    }

    internal static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        foreach (var d in data)
        {
            a = (a + d) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }

    internal static byte[] Encode(SpdyHeaders headers)
    {
        var size = 4 + headers.Values.Sum(p => 8 + Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value));
        var block = new byte[size];
        var span = block.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, headers.Values.Count);
        span = span[4..];
        foreach (var (name, value) in headers.Values)
        {
            span = WriteString(span, name);
            span = WriteString(span, value);
        }
        return block;
    }

    private static Span<byte> WriteString(Span<byte> span, string text)
    {
        var length = Encoding.UTF8.GetBytes(text, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        return span[(4 + length)..];
    }
}

/// <inheritdoc cref="SpdyHeaderCompressor"/>
internal sealed class SpdyHeaderDecompressor
{
    /// <summary>Headers larger than this are refused: a stream's headers are a few short names and values.</summary>
    private const int MaxBlock = 256 * 1024;

    private readonly Inflater _inflater = new(noHeader: false);

    public SpdyHeaders Decompress(ReadOnlySpan<byte> compressed)
    {
        var output = new ArrayBufferWriter<byte>(256);
        _inflater.SetInput(compressed.ToArray());
        while (true)
        {
            var chunk = output.GetMemory(1024);
            if (!System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(chunk, out var segment))
                throw new InvalidOperationException("an ArrayBufferWriter's memory is an array");
            var read = _inflater.Inflate(segment.Array!, segment.Offset, segment.Count);
            output.Advance(read);
            if (read > 0)
            {
                if (output.WrittenCount > MaxBlock)
                    throw new SpdyProtocolException($"a header block inflates to more than {MaxBlock} bytes");
                continue;
            }
            if (_inflater.IsNeedingDictionary)
            {
                _inflater.SetDictionary(SpdyDictionary.Bytes);
                continue;
            }
            if (_inflater.IsNeedingInput || _inflater.IsFinished)
                break;
        }
        return Decode(output.WrittenSpan);
    }

    internal static SpdyHeaders Decode(ReadOnlySpan<byte> block)
    {
        // Each header takes at least its two 4-byte lengths.
        var count = ReadLength(ref block, "the number of headers", max: block.Length / 8);
        var headers = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(ref block, "a header name");
            var value = ReadString(ref block, "a header value");
            if (name.Length == 0)
                throw new SpdyProtocolException("a header has an empty name");
            // A repeated name is a protocol error in SPDY/3; kubectl never sends one, so the last one wins.
            headers[name.ToLowerInvariant()] = value;
        }
        return new SpdyHeaders(headers.ToImmutable());
    }

    private static int ReadLength(ref ReadOnlySpan<byte> block, string what, int max)
    {
        if (block.Length < 4)
            throw new SpdyProtocolException($"a header block ends before {what}");
        var value = BinaryPrimitives.ReadInt32BigEndian(block);
        block = block[4..];
        if (value < 0 || value > max)
            throw new SpdyProtocolException($"a header block gives {what} as {value}, more than it holds");
        return value;
    }

    private static string ReadString(ref ReadOnlySpan<byte> block, string what)
    {
        var length = ReadLength(ref block, $"the length of {what}", max: block.Length - 4);
        var text = Encoding.UTF8.GetString(block[..length]);
        block = block[length..];
        return text;
    }
}
