using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace Granary.Silo.Streams.Spdy;

/// <summary>
/// The header blocks of one direction of a SPDY/3 session: a name/value block (a count, then length-prefixed names
/// and values) compressed as one zlib stream for the whole session, with SPDY's dictionary preset and a flush after
/// each block so the peer can read it at once. A session holds one compressor and one decompressor; neither may be
/// used from two threads at a time.
/// </summary>
internal sealed class SpdyHeaderCompressor
{
    private readonly Deflater _deflater = new(Deflater.DEFAULT_COMPRESSION, noZlibHeaderOrFooter: false);
    private readonly byte[] _chunk = new byte[1024];

    public SpdyHeaderCompressor() => _deflater.SetDictionary(SpdyDictionary.Bytes);

    public byte[] Compress(SpdyHeaders headers)
    {
        _deflater.SetInput(Encode(headers));
        _deflater.Flush();
        using var output = new MemoryStream();
        while (true)
        {
            var written = _deflater.Deflate(_chunk);
            if (written == 0 && _deflater.IsNeedingInput)
                break;
            output.Write(_chunk, 0, written);
        }
        return output.ToArray();
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
