using Granary.Silo.Api.Protobuf;
using static Granary.Tests.Unit.Api.Protobuf.ProtoTestEncoder;

namespace Granary.Tests.Unit.Api.Protobuf;

public sealed class ProtoDecoderTests
{
    private static readonly ProtoDecoder Decoder = new(ProtoSchema.Kubernetes);

    private static DecodedMessage Decode(string message, params byte[][] fields) => Decoder.Decode(Concat(fields), message);

    private static string Json(string message, params byte[][] fields) => Decode(message, fields).Json.ToJsonString();

    private static byte[] Meta(params byte[][] fields) => Field(1, Concat(fields));

    [Fact]
    public void Maps_AreObjects_AndBytesValuesBase64()
    {
        var json = Json("core.v1.Secret",
            Meta(Field(1, "creds"), Field(11, Concat(Field(1, "app"), Field(2, "web")))),
            Field(2, Concat(Field(1, "bin"), Field(2, new byte[] { 0, 1, 0xFF }))),
            Field(2, Concat(Field(1, "empty"))),
            Field(4, Concat(Field(1, "user"), Field(2, "admin"))),
            Field(3, "Opaque"));

        Assert.Equal("""{"metadata":{"name":"creds","labels":{"app":"web"}},"data":{"bin":"AAH/","empty":""},"stringData":{"user":"admin"},"type":"Opaque"}""", json);
    }

    [Fact]
    public void Repeated_AreArrays_PackedOrNot()
    {
        var unpacked = Json("core.v1.PodSecurityContext", Varint(4, 1000), Varint(4, 2000));
        var packed = Json("core.v1.PodSecurityContext", Field(4, Concat(VarintBytes(1000), VarintBytes(2000))));

        Assert.Equal("""{"supplementalGroups":[1000,2000]}""", unpacked);
        Assert.Equal(unpacked, packed);
    }

    [Fact]
    public void RepeatedMessages_AndStrings_KeepTheirOrder()
    {
        var json = Json("core.v1.PodSpec",
            Field(2, Concat(Field(1, "a"), Field(2, "local/a:1"), Field(3, "sh"), Field(3, "-c"))),
            Field(2, Concat(Field(1, "b"), Field(2, "local/b:1"))));

        Assert.Equal("""{"containers":[{"name":"a","image":"local/a:1","command":["sh","-c"]},{"name":"b","image":"local/b:1"}]}""", json);
    }

    [Fact]
    public void EmbeddedGoStructs_AreInlined()
    {
        // SecretKeySelector embeds LocalObjectReference: its name sits beside key in the JSON.
        var json = Json("core.v1.EnvVarSource", Field(4, Concat(Field(1, Field(1, "creds")), Field(2, "password"))));

        Assert.Equal("""{"secretKeyRef":{"name":"creds","key":"password"}}""", json);
    }

    [Fact]
    public void ZeroValues_OfFieldsGosJsonOmits_AreDropped_OthersKept()
    {
        // ServicePort: name and nodePort are plain values tagged omitempty (dropped when empty); port is not
        // omitempty (kept, as Go's JSON writes it).
        var port = Json("core.v1.ServicePort", Field(1, ""), Varint(3, 0), Varint(5, 0), Field(2, "TCP"));
        // DeploymentSpec: replicas is a pointer, so 0 is what the user asked for; paused is a plain bool (dropped).
        var spec = Json("apps.v1.DeploymentSpec", Varint(1, 0), Varint(7, 0));
        // ServiceAccount: automountServiceAccountToken is a pointer: false is kept.
        var account = Json("core.v1.ServiceAccount", Meta(Field(1, "builder"), Field(3, "")), Varint(4, 0));

        Assert.Equal("""{"port":0,"protocol":"TCP"}""", port);
        Assert.Equal("""{"replicas":0}""", spec);
        Assert.Equal("""{"metadata":{"name":"builder"},"automountServiceAccountToken":false}""", account);
    }

    [Fact]
    public void ZeroTime_IsDropped()
    {
        Assert.Equal("""{"name":"web"}""", Json("meta.v1.ObjectMeta", Field(1, "web"), Field(8, [])));
    }

    [Fact]
    public void UnknownFieldNumbers_AreSkippedAndNamedWithTheirPaths()
    {
        var decoded = Decode("apps.v1.Deployment",
            Meta(Field(1, "web"), Varint(99, 1)),
            Field(2, Concat(Varint(1, 2), Field(3, Field(2, Concat(Field(2, Field(1, "a")), Field(2, Concat(Field(1, "b"), Field(77, "x")))))))),
            Varint(42, 7));

        Assert.Equal("""{"metadata":{"name":"web"},"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}}""", decoded.Json.ToJsonString());
        Assert.Equal(
            [
                "unknown field \"metadata.<protobuf field 99>\"",
                "unknown field \"spec.template.spec.containers[1].<protobuf field 77>\"",
                "unknown field \"<protobuf field 42>\"",
            ],
            decoded.UnknownFields);
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "a string sent as a number", Varint(1, 5), "metadata: wire type 0 does not fit a meta.v1.ObjectMeta field (wire type 2)" },
        { "a number sent as bytes", Field(2, Field(1, "x")), "spec.replicas: wire type 2 does not fit a int32 field (wire type 0)" },
        { "invalid UTF-8", Field(1, Field(1, new byte[] { 0xC3, 0x28 })), "metadata.name: not valid UTF-8" },
        { "truncated inside a message", Field(1, [0x0A, 0x09, 0x61]), "length 9 at byte 1 runs past the end of the data (1 bytes left)" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Decode_MalformedMessages_FailNamingTheField(string name, byte[] data, string expected)
    {
        var e = Assert.Throws<ProtobufFormatException>(() => Decoder.Decode(data, "apps.v1.Deployment"));

        Assert.True(e.Message == expected, $"{name}: {e.Message}");
    }

    [Fact]
    public void Schema_KnowsTheKindsOfEveryGroupKubectlSends()
    {
        Assert.Equal("core.v1.Pod", ProtoSchema.Kubernetes.ForKind("v1", "Pod")!.Name);
        Assert.Equal("apps.v1.Deployment", ProtoSchema.Kubernetes.ForKind("apps/v1", "Deployment")!.Name);
        Assert.Equal("discovery.v1.EndpointSlice", ProtoSchema.Kubernetes.ForKind("discovery.k8s.io/v1", "EndpointSlice")!.Name);
        Assert.Equal("rbac.v1.Role", ProtoSchema.Kubernetes.ForKind("rbac.authorization.k8s.io/v1", "Role")!.Name);
        Assert.Equal("meta.v1.DeleteOptions", ProtoSchema.Kubernetes.ForKind("meta.k8s.io/v1", "DeleteOptions")!.Name);
        Assert.Equal("meta.v1.DeleteOptions", ProtoSchema.Kubernetes.ForKind("apps/v1", "DeleteOptions")!.Name);
        Assert.Null(ProtoSchema.Kubernetes.ForKind("v1", "Widget"));
    }
}
