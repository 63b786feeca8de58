using Granary.Silo.Streams.Spdy;

namespace Granary.Tests.Unit.Streams;

public sealed class SpdyHeaderCompressionTests
{
    private const string SyncFlushedBlock =
        "78F9E3C6A7C202253A703A2B294A4DCC452A4A1221A572113803581858180069CE22482C66825237A301000000FFFF";

    [Fact]
    public void Dictionary_IsTheSpecificationsBytes()
    {
        Assert.Equal(1423, SpdyDictionary.Bytes.Length);
        Assert.Equal(0xE3C6A7C2u, Adler32(SpdyDictionary.Bytes));
    }

    [Fact]
    public void Compress_ThenDecompress_GivesTheHeadersBack_BlockAfterBlock()
    {
        var compressor = new SpdyHeaderCompressor();
        var decompressor = new SpdyHeaderDecompressor();
        var first = SpdyHeaders.Of(("streamType", "error"), ("port", "8080"), ("requestID", "0"));
        var second = SpdyHeaders.Of(("streamType", "data"), ("port", "8080"), ("requestID", "0"));

        // One zlib stream for the session: the second block refers back to the first.
        var a = compressor.Compress(first);
        var b = compressor.Compress(second);

        Assert.Equal(first.Values, decompressor.Decompress(a).Values);
        Assert.Equal(second.Values, decompressor.Decompress(b).Values);
        // The zlib header comes once, before the first block; each block ends with the sync marker.
        Assert.Equal(6 + 5 + SpdyHeaderCompressor.Encode(first).Length + 5, a.Length);
        Assert.Equal(5 + SpdyHeaderCompressor.Encode(second).Length + 5, b.Length);
        Assert.Equal([0x00, 0x00, 0x00, 0xFF, 0xFF], b[^5..]);
    }

    [Fact]
    public void Compress_StartsAZlibStreamNamingSpdysDictionary()
    {
        var block = new SpdyHeaderCompressor().Compress(SpdyHeaders.Empty);

        // CMF/FLG with FDICT set, then the dictionary's Adler-32 (RFC 1950): what a zlib reader with SPDY's dictionary expects.
        Assert.Equal(0x78, block[0]);
        Assert.Equal(0x20, block[1] & 0x20);
        Assert.Equal(0, ((block[0] << 8) | block[1]) % 31);
        Assert.Equal(Adler32(SpdyDictionary.Bytes), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan(2)));
    }

    [Fact]
    public void Decompress_ABlockCompressedWithTheDictionary_GivesItsHeaders()
    {
        // zlib (level 9, SPDY's dictionary, Z_SYNC_FLUSH) of a block with streamtype=data, port=8080, requestid=0, as
        // Go's zlib writes it: back-references into the dictionary, which only an inflater given it can resolve.
        var compressed = Convert.FromHexString(SyncFlushedBlock);

        var headers = new SpdyHeaderDecompressor().Decompress(compressed);

        Assert.Equal(SpdyHeaders.Of(("streamtype", "data"), ("port", "8080"), ("requestid", "0")).Values, headers.Values);
    }

    [Fact]
    public void Decode_ABlockClaimingMoreThanItHolds_IsAProtocolError()
    {
        byte[] block = [0, 0, 0, 1, 0, 0, 0, 200, (byte)'a'];

        var e = Assert.Throws<SpdyProtocolException>(() => SpdyHeaderDecompressor.Decode(block));
        Assert.Contains("more than it holds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_WritesCountThenLengthPrefixedNamesAndValues()
    {
        var block = SpdyHeaderCompressor.Encode(SpdyHeaders.Of(("Port", "80")));

        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 4, (byte)'p', (byte)'o', (byte)'r', (byte)'t', 0, 0, 0, 2, (byte)'8', (byte)'0'], block);
    }

    private static uint Adler32(byte[] data) => SpdyHeaderCompressor.Adler32(data);
}
