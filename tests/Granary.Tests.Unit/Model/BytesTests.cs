using System.Text.Json.Nodes;
using Granary.Errors;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Tests.Unit.Model;

public class BytesTests
{
    [Fact]
    public void Json_SecretData_IsBase64BothWays()
    {
        var secret = (Secret)GranaryJson.DeserializeManifest(JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"password":"aHVudGVyMg=="}}""")!);

        Assert.Equal("hunter2", secret.Data!["password"].ToUtf8());
        Assert.Contains("\"password\":\"aHVudGVyMg==\"", GranaryJson.SerializeResource(secret));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("aHVudGVyMg=")]
    [InlineData("12345")]
    public void Json_InvalidBase64_IsABadRequestNamingTheFieldNotTheValue(string value)
    {
        var document = JsonNode.Parse($$$"""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"password":"{{{value}}}"}}""")!;

        var error = Assert.Throws<BadRequestException>(() => GranaryJson.DeserializeManifest(document));

        Assert.Equal("secret: data.password: Invalid value: illegal base64 data: the value must be base64 encoded (RFC 4648, with padding)", error.Message);
        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_BinaryDataThatIsNotAString_IsABadRequestNamingTheField()
    {
        var document = JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"binaryData":{"blob":5}}""")!;

        var error = Assert.Throws<BadRequestException>(() => GranaryJson.DeserializeManifest(document));

        Assert.StartsWith("configmap: binaryData.blob: Invalid value: expected a base64 string, not Number", error.Message);
    }

    [Fact]
    public void Equality_ComparesContent_AndDefaultIsEmpty()
    {
        Assert.Equal(Bytes.FromUtf8("abc"), Bytes.FromBase64("YWJj"));
        Assert.NotEqual(Bytes.FromUtf8("abc"), Bytes.FromUtf8("abd"));
        Assert.Equal(Bytes.FromUtf8("abc").GetHashCode(), Bytes.FromBase64("YWJj").GetHashCode());
        Assert.Equal(new Bytes([]), default);
        Assert.Equal(0, default(Bytes).Length);
        Assert.Equal("", default(Bytes).ToBase64());
    }

    [Fact]
    public void ToString_NeverShowsTheContent() => Assert.Equal("7 bytes", Bytes.FromUtf8("hunter2").ToString());
}
