using System.Text;
using Granary.Client.Manifests;
using Granary.Errors;

namespace Granary.Tests.Unit.Manifests;

/// <summary>YAML bodies cannot make the server expand aliases without bound or recurse without bound.</summary>
public class YamlJsonLimitsTests
{
    [Fact]
    public void Parse_BillionLaughs_IsRefusedAsExcessiveAliasing()
    {
        var yaml = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 10; i++)
            yaml.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");

        var e = Assert.Throws<BadRequestException>(() => YamlJson.Parse(yaml.ToString()));

        Assert.Contains("excessive aliasing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FewAliases_AreExpanded()
    {
        var json = YamlJson.Parse("base: &b {x: 1}\none: *b\ntwo: *b\n");

        Assert.Equal("""{"base":{"x":1},"one":{"x":1},"two":{"x":1}}""", json!.ToJsonString());
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(2_000)]
    public void Parse_DeepFlowNesting_IsRefusedWithoutRecursing(int depth)
    {
        var e = Assert.Throws<BadRequestException>(() => YamlJson.Parse("a: " + new string('[', depth) + new string(']', depth)));

        Assert.Contains("exceeded max depth", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestingDeeperThanJsonBodies_IsRefused()
    {
        var yaml = string.Concat(Enumerable.Range(0, 100).Select(i => new string(' ', i) + "a:\n"));

        var e = Assert.Throws<BadRequestException>(() => YamlJson.Parse(yaml));

        Assert.Contains($"exceeded max depth of {64}", e.Message, StringComparison.Ordinal);
    }
}
