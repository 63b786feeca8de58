using System.Text.Json.Nodes;
using Granary.Errors;
using Granary.Silo.Api;

namespace Granary.Tests.Unit.Api;

public class JsonPatchesTests
{
    private static JsonNode? Strategic(string target, string patch) => JsonPatches.Merge(JsonNode.Parse(target), JsonNode.Parse(patch), strategic: true);

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual?.ToJsonString()}");

    [Fact]
    public void Merge_NullRemoves_ObjectsMerge_ListsReplace()
    {
        var result = JsonPatches.Merge(JsonNode.Parse("""{"a":1,"b":{"c":1,"d":2},"l":[1,2]}"""), JsonNode.Parse("""{"a":null,"b":{"d":3},"l":[3]}"""));

        AssertJson("""{"b":{"c":1,"d":3},"l":[3]}""", result);
    }

    [Fact]
    public void Strategic_ContainersMergeByName_NewOnesAppend()
    {
        var result = Strategic(
            """{"containers":[{"name":"a","image":"x:1","env":[{"name":"A","value":"1"}]},{"name":"b","image":"y:1"}]}""",
            """{"$setElementOrder/containers":[{"name":"a"},{"name":"b"},{"name":"c"}],"containers":[{"name":"a","image":"x:2","env":[{"name":"B","value":"2"}]},{"name":"c","image":"z:1"}]}""");

        AssertJson("""{"containers":[{"name":"a","image":"x:2","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},{"name":"b","image":"y:1"},{"name":"c","image":"z:1"}]}""", result);
    }

    [Fact]
    public void Strategic_PortsMergeByContainerPort_OrByPortForServices()
    {
        AssertJson("""{"ports":[{"containerPort":80,"name":"web"},{"containerPort":81}]}""",
            Strategic("""{"ports":[{"containerPort":80}]}""", """{"ports":[{"containerPort":80,"name":"web"},{"containerPort":81}]}"""));
        AssertJson("""{"ports":[{"port":80,"targetPort":8081},{"port":443}]}""",
            Strategic("""{"ports":[{"port":80,"targetPort":8080}]}""", """{"ports":[{"port":80,"targetPort":8081},{"port":443}]}"""));
    }

    [Fact]
    public void Strategic_PatchDeleteRemovesAnItemOrAField()
    {
        AssertJson("""{"containers":[{"name":"b"}],"keep":1}""",
            Strategic("""{"containers":[{"name":"a"},{"name":"b"}],"gone":{"x":1},"keep":1}""", """{"containers":[{"name":"a","$patch":"delete"}],"gone":{"$patch":"delete"}}"""));
    }

    [Fact]
    public void Strategic_PatchReplaceReplacesAMapOrAList()
    {
        AssertJson("""{"selector":{"b":"2"}}""", Strategic("""{"selector":{"a":"1"}}""", """{"selector":{"$patch":"replace","b":"2"}}"""));
        AssertJson("""{"containers":[{"name":"c"}]}""", Strategic("""{"containers":[{"name":"a"},{"name":"b"}]}""", """{"containers":[{"$patch":"replace"},{"name":"c"}]}"""));
    }

    [Fact]
    public void Strategic_RetainKeysDropsTheOthers()
    {
        // kubectl sends this when a Deployment switches from RollingUpdate to Recreate.
        var result = Strategic(
            """{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}""",
            """{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}""");

        AssertJson("""{"strategy":{"type":"Recreate"}}""", result);
    }

    [Fact]
    public void Strategic_DeleteFromPrimitiveList()
    {
        AssertJson("""{"finalizers":["b"]}""", Strategic("""{"finalizers":["a","b"]}""", """{"$deleteFromPrimitiveList/finalizers":["a"]}"""));
    }

    [Fact]
    public void Strategic_UnknownDirective_IsABadRequest()
    {
        Assert.Throws<BadRequestException>(() => Strategic("""{}""", """{"$unknown":1}"""));
        Assert.Throws<BadRequestException>(() => Strategic("""{"containers":[{"name":"a"}]}""", """{"containers":[{"image":"x"}]}"""));
    }

    [Fact]
    public void JsonPatch_AppliesInOrder_AndAFailedTestIsAPatchFailure()
    {
        var doc = JsonNode.Parse("""{"metadata":{"labels":{"a":"1"}},"list":[1,3]}""");

        var result = JsonPatches.Apply(doc, JsonNode.Parse("""
            [{"op":"add","path":"/metadata/labels/b~1c","value":"2"},{"op":"add","path":"/list/1","value":2},
             {"op":"remove","path":"/metadata/labels/a"},{"op":"copy","from":"/list/0","path":"/first"},{"op":"test","path":"/first","value":1}]
            """));

        AssertJson("""{"metadata":{"labels":{"b/c":"2"}},"list":[1,2,3],"first":1}""", result);
        Assert.Throws<PatchFailedException>(() => JsonPatches.Apply(doc, JsonNode.Parse("""[{"op":"test","path":"/list/0","value":9}]""")));
        Assert.Throws<PatchFailedException>(() => JsonPatches.Apply(doc, JsonNode.Parse("""[{"op":"remove","path":"/nope"}]""")));
        Assert.Throws<BadRequestException>(() => JsonPatches.Apply(doc, JsonNode.Parse("""{"op":"add"}""")));
    }
}
