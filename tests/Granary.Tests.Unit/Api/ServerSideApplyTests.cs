using System.Text.Json.Nodes;
using Granary.Serialization;
using Granary.Silo.Api;

namespace Granary.Tests.Unit.Api;

public sealed class ServerSideApplyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private static JsonObject Config(string image, string labels = """{"app":"web"}""") => Json($$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{{{labels}}}},
         "spec":{"containers":[{"name":"main","image":"{{{image}}}"}]}}
        """);

    private static JsonObject Apply(JsonObject live, JsonObject config, string manager, bool force = false) =>
        ServerSideApply.Apply(live, config, manager, force, "v1", T0);

    [Fact]
    public void Created_RecordsTheAppliedFieldSet_WithoutIdentity()
    {
        var created = ServerSideApply.Created(Config("a"), "kubectl", "v1", T0);

        var entry = Assert.Single(created["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal("""{"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"main\"}":{".":{},"f:image":{},"f:name":{}}}}}}""", entry.ToJsonString(GranaryJson.Options));
    }

    [Fact]
    public void Apply_FieldNoLongerApplied_IsRemoved_OthersKept()
    {
        var live = ServerSideApply.Created(Config("a", """{"app":"web","tier":"x"}"""), "kubectl", "v1", T0);
        live["spec"]!["nodeName"] = "n1"; // written by someone else, not applied

        var result = Apply(live, Config("b"), "kubectl");

        Assert.Equal("""{"app":"web"}""", result["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("b", (string?)result["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("n1", (string?)result["spec"]!["nodeName"]);
    }

    [Fact]
    public void Apply_ADifferentValueForAFieldOfAnotherManager_Conflicts()
    {
        var live = ServerSideApply.Created(Config("a"), "team-a", "v1", T0);

        var e = Assert.Throws<ApplyConflictException>(() => Apply(live, Config("b"), "team-b"));

        Assert.Equal("Apply failed with 1 conflict: conflict with \"team-a\": .spec.containers[name=\"main\"].image", e.Message);
    }

    [Fact]
    public void Apply_TheSameValue_SharesTheField()
    {
        var live = ServerSideApply.Created(Config("a"), "team-a", "v1", T0);

        var shared = Apply(live, Config("a"), "team-b");
        // team-a stops applying the label; team-b still does, so it stays.
        var result = Apply(shared, Config("a", "{}"), "team-a");

        Assert.Equal("""{"app":"web"}""", result["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal(2, result["metadata"]!["managedFields"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_Forced_TakesTheFieldFromItsOwner()
    {
        var live = ServerSideApply.Created(Config("a"), "team-a", "v1", T0);

        var result = Apply(live, Config("b"), "team-b", force: true);

        Assert.Equal("b", (string?)result["spec"]!["containers"]![0]!["image"]);
        var teamA = result["metadata"]!["managedFields"]!.AsArray().Single(e => (string?)e!["manager"] == "team-a")!;
        Assert.DoesNotContain("f:image", teamA["fieldsV1"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_NothingChanged_KeepsTheEntryTime()
    {
        var live = ServerSideApply.Created(Config("a"), "kubectl", "v1", T0);

        var result = ServerSideApply.Apply(live, Config("a"), "kubectl", force: false, "v1", T0.AddHours(1));

        Assert.True(JsonNode.DeepEquals(live, result));
    }
}
