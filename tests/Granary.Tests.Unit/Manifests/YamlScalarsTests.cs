using Granary.Client.Manifests;
using YamlDotNet.RepresentationModel;

namespace Granary.Tests.Unit.Manifests;

public class YamlScalarsTests
{
    [Theory]
    [InlineData("", "null")]
    [InlineData("~", "null")]
    [InlineData("null", "null")]
    [InlineData("NULL", "null")]
    [InlineData("true", "true")]
    [InlineData("True", "true")]
    [InlineData("FALSE", "false")]
    [InlineData("123", "123")]
    [InlineData("-5", "-5")]
    [InlineData("+5", "5")]
    [InlineData("007", "7")]
    [InlineData("0o17", "15")]
    [InlineData("0x1F", "31")]
    [InlineData("1.5", "1.5")]
    [InlineData("1.50", "1.50")]
    [InlineData(".5", "0.5")]
    [InlineData("-.5", "-0.5")]
    [InlineData("1.", "1")]
    [InlineData("1e3", "1e3")]
    [InlineData("+1.5E-2", "1.5E-2")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("on", "\"on\"")]
    [InlineData("1.2.3", "\"1.2.3\"")]
    [InlineData("128Mi", "\"128Mi\"")]
    [InlineData("100m", "\"100m\"")]
    [InlineData("0x", "\"0x\"")]
    [InlineData("nginx:1.25", "\"nginx:1.25\"")]
    [InlineData("2024-01-01", "\"2024-01-01\"")]
    public void ToJson_PlainScalar_FollowsYaml12CoreSchema(string plain, string expectedJson)
    {
        var json = YamlScalars.ToJson(plain);

        Assert.Equal(expectedJson, json?.ToJsonString() ?? "null");
    }

    [Theory]
    [InlineData(".inf")]
    [InlineData("-.Inf")]
    [InlineData(".nan")]
    public void ToJson_InfinityOrNaN_IsRejected(string plain)
    {
        var e = Assert.Throws<FormatException>(() => YamlScalars.ToJson(plain));

        Assert.Equal($"the number {plain} cannot be represented in JSON", e.Message);
    }

    [Theory]
    [InlineData("a: '123'", """{"a":"123"}""")]
    [InlineData("a: \"true\"", """{"a":"true"}""")]
    [InlineData("a: 'null'", """{"a":"null"}""")]
    [InlineData("a: ''", """{"a":""}""")]
    [InlineData("a:", """{"a":null}""")]
    [InlineData("a: !!str 8080", """{"a":"8080"}""")]
    [InlineData("a: !!int \"8080\"", """{"a":8080}""")]
    [InlineData("a: !!float \"1\"", """{"a":1}""")]
    [InlineData("a: |\n  x\n  y\n", """{"a":"x\ny\n"}""")]
    [InlineData("a: >-\n  x\n  y\n", """{"a":"x y"}""")]
    [InlineData("a: [1, two, 'three', true]", """{"a":[1,"two","three",true]}""")]
    [InlineData("true: 1\n8080: x", """{"true":1,"8080":"x"}""")]
    [InlineData("a: &x {b: 1}\nc: *x", """{"a":{"b":1},"c":{"b":1}}""")]
    public void Convert_Document_KeepsQuotedScalarsAsStrings(string yaml, string expectedJson)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));

        var json = YamlToJson.Convert(stream.Documents[0].RootNode);

        Assert.Equal(expectedJson, json!.ToJsonString());
    }

    [Fact]
    public void Convert_TaggedIntThatIsNotANumber_NamesTheField()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("spec:\n  port: !!int http\n"));

        var e = Assert.Throws<YamlToJson.ConversionException>(() => YamlToJson.Convert(stream.Documents[0].RootNode));

        Assert.Equal(("spec.port", "cannot read \"http\" as !!int", 2L), (e.Path, e.Message, e.At.Line));
    }
}
