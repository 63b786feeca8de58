using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Client.Manifests;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Cli.Output;

/// <summary>-o json, -o yaml and -o name. Several objects print as a kubectl List.</summary>
internal static class ObjectPrinter
{
    /// <summary><c>pod/web</c>: the kind's singular name and the object's name.</summary>
    public static string Name(IResource resource) =>
        $"{ResourceKinds.Find(resource.Kind)?.Singular ?? resource.Kind.ToLowerInvariant()}/{resource.Metadata.Name}";

    public static string Json(IResource resource) => GranaryJson.SerializeResource(resource, indented: true) + "\n";

    public static string Yaml(IResource resource) => ManifestWriter.ToYaml(resource);

    public static string JsonList(IEnumerable<IResource> items) => ListNode(items).ToJsonString(GranaryJson.Indented) + "\n";

    public static string YamlList(IEnumerable<IResource> items) => ManifestWriter.ToYaml(ListNode(items));

    /// <summary>The List kubectl prints for several objects (keys in kubectl's order).</summary>
    public static JsonObject ListNode(IEnumerable<IResource> items) => new()
    {
        ["apiVersion"] = "v1",
        ["items"] = new JsonArray([.. items.Select(r => JsonSerializer.SerializeToNode(r, r.GetType(), GranaryJson.Options))]),
        ["kind"] = "List",
        ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
    };
}
