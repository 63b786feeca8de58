using Granary.Errors;
using Granary.Silo.Api.Protobuf;
using Microsoft.AspNetCore.Http;
using static Granary.Tests.Unit.Api.Protobuf.ProtoTestEncoder;

namespace Granary.Tests.Unit.Api.Protobuf;

/// <summary>The edge's reading of protobuf bodies: the envelope's kind, fieldValidation of unknown field numbers, 400s.</summary>
public sealed class ProtobufBodiesTests
{
    private static readonly byte[] Namespace = Field(1, Field(1, "team"));
    private static readonly byte[] NamespaceWithUnknownField = Concat(Field(1, Concat(Field(1, "team"), Varint(99, 1))), Varint(98, 1));

    private static DefaultHttpContext Context(string? fieldValidation = null)
    {
        var context = new DefaultHttpContext();
        if (fieldValidation is not null)
            context.Request.QueryString = new QueryString($"?fieldValidation={fieldValidation}");
        return context;
    }

    [Fact]
    public void Decode_AnEnvelopeOfTheExpectedKind_IsTheObjectsJson()
    {
        var json = ProtobufBodies.Decode(Context(), Envelope("v1", "Namespace", Namespace), "v1", "Namespace");

        Assert.Equal("""{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team"}}""", json.ToJsonString());
    }

    [Fact]
    public void Decode_UnknownFieldNumbersUnderStrict_IsBadRequestNamingThem()
    {
        var e = Assert.Throws<BadRequestException>(() =>
            ProtobufBodies.Decode(Context("Strict"), Envelope("v1", "Namespace", NamespaceWithUnknownField), "v1", "Namespace"));

        Assert.Equal(
            "Namespace in version \"v1\" cannot be handled as a Namespace: strict decoding error: unknown field \"metadata.<protobuf field 99>\", unknown field \"<protobuf field 98>\"",
            e.Message);
    }

    [Fact]
    public void Decode_UnknownFieldNumbersUnderWarn_AreWarningHeaders()
    {
        var context = Context("Warn");

        var json = ProtobufBodies.Decode(context, Envelope("v1", "Namespace", NamespaceWithUnknownField), "v1", "Namespace");

        Assert.Equal("team", (string?)json["metadata"]?["name"]);
        string[] expected = ["299 - \"unknown field \\\"metadata.<protobuf field 99>\\\"\"", "299 - \"unknown field \\\"<protobuf field 98>\\\"\""];
        Assert.Equal(expected, context.Response.Headers["Warning"].Select(w => w ?? ""));
    }

    [Fact]
    public void Decode_UnknownFieldNumbersUnderIgnore_AreDropped()
    {
        var context = Context("Ignore");

        var json = ProtobufBodies.Decode(context, Envelope("v1", "Namespace", NamespaceWithUnknownField), "v1", "Namespace");

        Assert.Equal("""{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team"}}""", json.ToJsonString());
        Assert.Equal(0, context.Response.Headers["Warning"].Count);
    }

    public static TheoryData<string, byte[], string> BadBodies => new()
    {
        { "JSON sent as protobuf", "{\"kind\":\"Namespace\"}"u8.ToArray(), "the request body is not a valid protobuf Namespace: the body does not start with the protobuf prefix \"k8s\\x00\"" },
        { "no envelope after the magic", [.. ProtobufEnvelope.Magic, 0x0A, 0x40], "the request body is not a valid protobuf Namespace: length 64 at byte 1 runs past the end of the data (0 bytes left)" },
        { "truncated object", Envelope("v1", "Namespace", [0x0A, 0x05, 0x0A]), "the request body is not a valid protobuf Namespace: length 5 at byte 1 runs past the end of the data (1 bytes left)" },
        { "another kind", Envelope("v1", "Pod", Namespace), "the API version in the data (v1) or its kind (Pod) does not match the expected v1, Kind=Namespace" },
        { "another version", Envelope("v2", "Namespace", Namespace), "the API version in the data (v2) or its kind (Namespace) does not match the expected v1, Kind=Namespace" },
        { "an encoded body", Concat([.. ProtobufEnvelope.Magic], Field(1, Concat(Field(1, "v1"), Field(2, "Namespace"))), Field(3, "gzip")), "the protobuf body's contentEncoding \"gzip\" is not supported: send it unencoded" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public void Decode_BadBodies_AreBadRequestsSayingWhatIsWrong(string name, byte[] body, string expected)
    {
        var e = Assert.Throws<BadRequestException>(() => ProtobufBodies.Decode(Context(), body, "v1", "Namespace"));

        Assert.True(e.Message == expected, $"{name}: {e.Message}");
    }

    [Fact]
    public void Decode_DeleteOptionsOfAnyGroupVersion_AreRead()
    {
        var body = Envelope("apps/v1", "DeleteOptions", Concat(Varint(1, 0), Field(4, "Foreground")));

        var json = ProtobufBodies.Decode(Context(), body, null, "DeleteOptions");

        Assert.Equal("""{"kind":"DeleteOptions","apiVersion":"apps/v1","gracePeriodSeconds":0,"propagationPolicy":"Foreground"}""", json.ToJsonString());
    }

    [Theory]
    [InlineData("application/vnd.kubernetes.protobuf", true)]
    [InlineData("application/vnd.kubernetes.protobuf;stream=watch", true)]
    [InlineData("application/vnd.kubernetes.protobuf,application/json", false)]
    [InlineData("application/json", false)]
    [InlineData("*/*", false)]
    [InlineData("", false)]
    public void AcceptsOnlyProtobuf_OnlyWhenNothingElseIsAllowed(string accept, bool expected)
    {
        var context = Context();
        context.Request.Headers.Accept = accept;

        Assert.Equal(expected, ProtobufBodies.AcceptsOnlyProtobuf(context.Request));
    }
}
