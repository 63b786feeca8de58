using System.Text.Json;
using Granary.Model;
using Granary.Serialization;
using Granary.Silo.Api;

namespace Granary.Tests.Unit.Api;

public sealed class UnknownFieldsTests
{
    private static List<string> Find<T>(string json, bool patchDirectives = false)
    {
        using var document = JsonDocument.Parse(json);
        return UnknownFields.Find(document.RootElement, typeof(T), GranaryJson.Options, patchDirectives);
    }

    [Fact]
    public void Find_AFullPod_ReportsNothing()
    {
        var pod = GranaryJson.SerializeResource(new Pod
        {
            Metadata = new ObjectMeta { Name = "web", Labels = Labels("app", "web"), ManagedFields = [new ManagedFieldsEntry { Manager = "m", FieldsV1 = new FieldsV1("""{"f:spec":{}}""") }] },
            Spec = new PodSpec
            {
                Containers = [new Container
                {
                    Name = "main",
                    Image = "busybox",
                    Ports = [new ContainerPort { Number = 80 }],
                    Resources = new ResourceRequirements { Limits = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("cpu", new Quantity("1"))]) },
                    LivenessProbe = new Probe { TcpSocket = new TcpSocketAction { Port = 80 } },
                }],
            },
            Status = new PodStatus { Phase = "Pending", StartTime = DateTimeOffset.UnixEpoch },
        });

        Assert.Empty(Find<Pod>(pod));
    }

    [Fact]
    public void Find_UnknownFields_NamesEachWithItsPathAndListIndex()
    {
        var problems = Find<Pod>("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","colour":"red"},
             "spec":{"foo":1,"containers":[{"name":"a","image":"i"},{"name":"b","shell":"bash","ports":[{"containerPort":80,"bar":true}]}]}}
            """);

        Assert.Equal(
            ["unknown field \"metadata.colour\"", "unknown field \"spec.foo\"", "unknown field \"spec.containers[1].shell\"", "unknown field \"spec.containers[1].ports[0].bar\""],
            problems);
    }

    [Fact]
    public void Find_DuplicateFields_AreReported()
    {
        var problems = Find<Pod>("""{"metadata":{"name":"a","name":"b"},"spec":{},"spec":{}}""");

        Assert.Equal(["duplicate field \"metadata.name\"", "duplicate field \"spec\""], problems);
    }

    [Fact]
    public void Find_NamesAreCaseSensitive_AsInKubernetes()
    {
        Assert.Equal(["unknown field \"Spec\""], Find<Pod>("""{"Spec":{}}"""));
    }

    [Fact]
    public void Find_MapKeysAndConverterValues_AreData_NotFields()
    {
        var problems = Find<Pod>("""
            {"metadata":{"labels":{"any-key":"v"},"annotations":{"x/y":"z"},
              "managedFields":[{"manager":"m","fieldsV1":{"f:spec":{"f:anything":{}}}}]},
             "spec":{"nodeSelector":{"disk":"ssd"},"containers":[{"name":"a","resources":{"requests":{"cpu":"1","memory":2}}}]}}
            """);

        Assert.Empty(problems);
    }

    [Fact]
    public void Find_PatchDirectives_AreNotFieldsOnlyInAPatch()
    {
        const string patch = """{"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"name":"a","$patch":"delete"}]}}""";

        Assert.Empty(Find<Pod>(patch, patchDirectives: true));
        Assert.Equal(["unknown field \"spec.$setElementOrder/containers\"", "unknown field \"spec.containers[0].$patch\""], Find<Pod>(patch));
    }

    [Fact]
    public void Find_ValuesOfTheWrongShape_AreLeftToTheDeserializer()
    {
        Assert.Empty(Find<Pod>("""{"spec":"not an object","metadata":[1,2]}"""));
    }

    [Fact]
    public void ToNode_RepeatedMember_KeepsTheLastValue()
    {
        using var document = JsonDocument.Parse("""{"a":1,"b":{"c":1,"c":2},"a":3}""");

        Assert.Equal("""{"a":3,"b":{"c":2}}""", UnknownFields.ToNode(document.RootElement)!.ToJsonString());
    }

    private static System.Collections.Immutable.ImmutableSortedDictionary<string, string> Labels(string key, string value) =>
        System.Collections.Immutable.ImmutableSortedDictionary.CreateRange([KeyValuePair.Create(key, value)]);
}
