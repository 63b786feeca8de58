using System.Text.Json.Nodes;
using Granary.Silo.Api.Protobuf;

namespace Granary.Tests.Unit.Api.Protobuf;

/// <summary>
/// What real kubectl binaries send (Fixtures/README.md): the protobuf bodies of kubectl 1.32 and 1.33 decode to the
/// JSON kubectl 1.31 sends for the same command.
/// </summary>
public sealed class KubectlBodiesTests
{
    public static TheoryData<string, string> Bodies()
    {
        var data = new TheoryData<string, string>();
        foreach (var version in new[] { "1.32", "1.33" })
        {
            foreach (var command in Commands)
                data.Add(version, command);
        }
        return data;
    }

    private static readonly string[] Commands =
    [
        "create-namespace", "create-deployment", "create-service-clusterip", "create-service-nodeport", "create-serviceaccount",
        "create-configmap", "create-secret-generic", "create-job", "create-cronjob",
    ];

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Decode_WhatKubectlSends_IsTheJsonItSendsOtherwise(string version, string command)
    {
        var envelope = ProtobufEnvelope.Read(Fixture($"kubectl-{version}-{command}.bin"));
        var expected = WithoutNulls(JsonNode.Parse(Fixture($"kubectl-1.31-{command}.json"))!.AsObject());
        var message = ProtoSchema.Kubernetes.ForKind(envelope.ApiVersion, envelope.Kind)!;

        var decoded = new ProtoDecoder(ProtoSchema.Kubernetes).Decode(envelope.Raw, message.Name);

        Assert.Empty(decoded.UnknownFields);
        var json = decoded.Json;
        json["kind"] = envelope.Kind;
        json["apiVersion"] = envelope.ApiVersion;
        Assert.True(JsonNode.DeepEquals(expected, json), $"decoded {json.ToJsonString()}\nexpected {expected.ToJsonString()}");
    }

    [Fact]
    public void Read_TheEnvelopeOfCreateNamespace_NamesTheKind()
    {
        var envelope = ProtobufEnvelope.Read(Fixture("kubectl-1.33-create-namespace.bin"));

        Assert.Equal(("v1", "Namespace", "", ""), (envelope.ApiVersion, envelope.Kind, envelope.ContentEncoding, envelope.ContentType));
    }

    internal static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Api", "Protobuf", "Fixtures", name));

    /// <summary>Go's JSON writes an unset time as null (creationTimestamp: null), which the decoder leaves out.</summary>
    private static JsonObject WithoutNulls(JsonObject json)
    {
        foreach (var (name, value) in json.ToList())
        {
            if (value is null)
                json.Remove(name);
            else if (value is JsonObject inner)
                WithoutNulls(inner);
            else if (value is JsonArray items)
            {
                foreach (var item in items.OfType<JsonObject>())
                    WithoutNulls(item);
            }
        }
        return json;
    }
}
