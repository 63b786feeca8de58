using Granary.Silo.Api.Protobuf;

namespace Granary.Tests.Unit.Api.Protobuf;

public sealed class ProtoWireReaderTests
{
    [Theory]
    [InlineData(new byte[] { 0x00 }, 0UL)]
    [InlineData(new byte[] { 0x01 }, 1UL)]
    [InlineData(new byte[] { 0xAC, 0x02 }, 300UL)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, ulong.MaxValue)]
    public void ReadVarint_ReadsLittleEndianBase128(byte[] data, ulong expected)
    {
        var reader = new ProtoWireReader(data);

        Assert.Equal(expected, reader.ReadVarint());
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void ReadTag_SplitsNumberAndWireType()
    {
        var reader = new ProtoWireReader([0x12, 0x00, 0x98, 0x06]);

        Assert.Equal((2, WireType.LengthDelimited), reader.ReadTag());
        Assert.True(reader.ReadLengthDelimited().IsEmpty);
        Assert.Equal((99, WireType.Varint), reader.ReadTag());
    }

    [Fact]
    public void ReadFixed_ReadsLittleEndian()
    {
        var reader = new ProtoWireReader([0x01, 0x00, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0]);

        Assert.Equal((1U, 2UL), (reader.ReadFixed32(), reader.ReadFixed64()));
    }

    [Fact]
    public void Skip_EachWireType_MovesPastTheValue()
    {
        var reader = new ProtoWireReader([0x96, 0x01, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 9, 9, 0x05]);

        reader.Skip(WireType.Varint);
        reader.Skip(WireType.Fixed32);
        reader.Skip(WireType.Fixed64);
        reader.Skip(WireType.LengthDelimited);

        Assert.Equal(17, reader.Position);
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "truncated varint", [0x96], "truncated varint at byte 0" },
        { "varint of 11 bytes", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "varint longer than 10 bytes at byte 0" },
        { "length past the end", [0x0A, 0x05, 0x61], "length 5 at byte 1 runs past the end of the data (1 bytes left)" },
        { "field number 0", [0x02, 0x00], "invalid field number 0 at byte 0" },
        { "wire type 7", [0x0F], "invalid wire type 7 at byte 0" },
        { "a group", [0x0B], "groups are not used by the Kubernetes API (wire type 3 before byte 1)" },
        { "truncated fixed32", [0x0D, 0x01, 0x02], "truncated fixed32 at byte 1" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Read_MalformedData_ThrowsNamingWhereItBroke(string name, byte[] data, string expected)
    {
        var e = Assert.Throws<ProtobufFormatException>(() => ReadAll(data));

        Assert.True(e.Message == expected, $"{name}: {e.Message}");
    }

    private static void ReadAll(byte[] data)
    {
        var reader = new ProtoWireReader(data);
        while (!reader.AtEnd)
        {
            var (_, type) = reader.ReadTag();
            reader.Skip(type);
        }
    }
}
