using Granary.Silo.Api.Protobuf;
using static Granary.Tests.Unit.Api.Protobuf.ProtoTestEncoder;

namespace Granary.Tests.Unit.Api.Protobuf;

public sealed class WellKnownTypesTests
{
    private static string? Json(string message, byte[] data) => WellKnownTypes.Decode(message, data, "f")?.ToJsonString();

    [Fact]
    public void Quantity_IsItsString()
    {
        Assert.Equal("\"500m\"", Json("resource.Quantity", Field(1, "500m")));
        Assert.Equal("\"0\"", Json("resource.Quantity", []));
    }

    [Fact]
    public void IntOrString_IsANumberOrAString()
    {
        Assert.Equal("8080", Json("intstr.IntOrString", Concat(Varint(1, 0), Varint(2, 8080))));
        Assert.Equal("\"http\"", Json("intstr.IntOrString", Concat(Varint(1, 1), Field(3, "http"))));
        Assert.Equal("0", Json("intstr.IntOrString", []));
    }

    [Fact]
    public void Time_IsRfc3339InWholeSeconds()
    {
        Assert.Equal("\"2026-12-07T01:02:03Z\"", Json("meta.v1.Time", Concat(Varint(1, 1796605323), Varint(2, 500_000_000))));
        Assert.Equal("\"1970-01-01T00:00:00Z\"", Json("meta.v1.Time", Varint(2, 0)));
    }

    [Fact]
    public void Time_GoZeroTime_HasNoJson()
    {
        // apimachinery writes Go's zero time as an empty message (what kubectl sends for creationTimestamp);
        // seconds -62135596800 is the same instant spelled out.
        Assert.Null(Json("meta.v1.Time", []));
        Assert.Null(Json("meta.v1.Time", Varint(1, unchecked((ulong)WellKnownTypes.GoZeroTimeSeconds))));
        Assert.Null(Json("meta.v1.MicroTime", []));
    }

    [Fact]
    public void MicroTime_KeepsMicroseconds()
    {
        Assert.Equal("\"2026-12-07T01:02:03.250000Z\"", Json("meta.v1.MicroTime", Concat(Varint(1, 1796605323), Varint(2, 250_000_000))));
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ns")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(250_000_000L, "250ms")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(-2_000_000_000L, "-2s")]
    [InlineData(90L * 60 * 1_000_000_000, "1h30m0s")]
    [InlineData(3723L * 1_000_000_000, "1h2m3s")]
    [InlineData(61L * 1_000_000_000 + 5, "1m1.000000005s")]
    public void Duration_IsGosDurationString(long nanoseconds, string expected)
    {
        Assert.Equal(expected, WellKnownTypes.GoDuration(nanoseconds));
        Assert.Equal(expected, WellKnownTypes.Decode("meta.v1.Duration", Varint(1, unchecked((ulong)nanoseconds)), "f")!.GetValue<string>());
    }

    [Fact]
    public void FieldsV1AndRawExtension_AreTheJsonTheyHold()
    {
        Assert.Equal("""{"f:metadata":{"f:labels":{}}}""", Json("meta.v1.FieldsV1", Field(1, """{"f:metadata":{"f:labels":{}}}""")));
        Assert.Equal("""{"a":[1,2]}""", Json("runtime.RawExtension", Field(1, """{"a":[1,2]}""")));
        Assert.Null(Json("runtime.RawExtension", []));
    }

    [Fact]
    public void RawExtension_NotJson_IsAFormatError()
    {
        var e = Assert.Throws<ProtobufFormatException>(() => WellKnownTypes.Decode("runtime.RawExtension", Field(1, "k8s\0x"), "spec.object"));

        Assert.StartsWith("spec.object: the runtime.RawExtension does not hold JSON", e.Message);
    }

    [Fact]
    public void Handles_OnlyTheWellKnownMessages()
    {
        Assert.True(WellKnownTypes.Handles("meta.v1.Time"));
        Assert.False(WellKnownTypes.Handles("meta.v1.ObjectMeta"));
        Assert.All(["resource.Quantity", "intstr.IntOrString", "meta.v1.Time", "meta.v1.MicroTime", "meta.v1.Duration", "meta.v1.FieldsV1", "runtime.RawExtension"],
            name => Assert.NotNull(ProtoSchema.Kubernetes.Find(name)));
    }
}
