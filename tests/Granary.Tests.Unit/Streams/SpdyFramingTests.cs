using Granary.Silo.Streams.Spdy;

namespace Granary.Tests.Unit.Streams;

public sealed class SpdyFramingTests
{
    [Fact]
    public async Task WrittenFrames_ReadBack_AsTheSameFrames()
    {
        using var wire = new MemoryStream();
        var writer = new SpdyFrameWriter(wire);
        var headers = SpdyHeaders.Of(("streamtype", "data"), ("port", "8080"), ("requestid", "3"));
        await writer.WriteSynStreamAsync(1, fin: false, headers, CancellationToken.None);
        await writer.WriteSynReplyAsync(1, fin: true, SpdyHeaders.Empty, CancellationToken.None);
        await writer.WriteDataAsync(1, fin: true, "hello"u8.ToArray(), CancellationToken.None);
        await writer.WriteRstStreamAsync(3, SpdyRstStatus.Cancel, CancellationToken.None);
        await writer.WritePingAsync(7, CancellationToken.None);
        await writer.WriteWindowUpdateAsync(1, 32768, CancellationToken.None);
        await writer.WriteGoAwayAsync(5, SpdyGoAwayStatus.Ok, CancellationToken.None);

        wire.Position = 0;
        var reader = new SpdyFrameReader(wire);
        var syn = Assert.IsType<SpdySynStream>(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal((1, false), (syn.StreamId, syn.Fin));
        Assert.Equal(headers.Values, syn.Headers.Values);
        var reply = Assert.IsType<SpdySynReply>(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal((1, true, 0), (reply.StreamId, reply.Fin, reply.Headers.Values.Count));
        var data = Assert.IsType<SpdyData>(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal((1, true, "hello"), (data.StreamId, data.Fin, System.Text.Encoding.ASCII.GetString(data.Data.Span)));
        Assert.Equal(new SpdyRstStream(3, SpdyRstStatus.Cancel), await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(new SpdyPing(7), await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(new SpdyWindowUpdate(1, 32768), await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(new SpdyGoAway(5, SpdyGoAwayStatus.Ok), await reader.ReadAsync(CancellationToken.None));
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DataFrame_IsTheEightByteHeaderThenThePayload()
    {
        using var wire = new MemoryStream();

        await new SpdyFrameWriter(wire).WriteDataAsync(3, fin: true, new byte[] { 0xAB }, CancellationToken.None);

        Assert.Equal([0, 0, 0, 3, SpdyFrame.FlagFin, 0, 0, 1, 0xAB], wire.ToArray());
    }

    [Fact]
    public async Task ControlFrame_OfAnotherVersion_IsAProtocolError()
    {
        // A SPDY/2 PING.
        using var wire = new MemoryStream([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1]);

        var e = await Assert.ThrowsAsync<SpdyProtocolException>(() => new SpdyFrameReader(wire).ReadAsync(CancellationToken.None).AsTask());
        Assert.Contains("SPDY version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_EndingInsideAFrame_IsEndOfStream()
    {
        using var wire = new MemoryStream([0, 0, 0, 1, 0, 0, 0, 10, 1, 2]);

        await Assert.ThrowsAsync<EndOfStreamException>(() => new SpdyFrameReader(wire).ReadAsync(CancellationToken.None).AsTask());
    }
}
