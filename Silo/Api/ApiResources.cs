using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Silo.Api;

/// <summary>One served resource or subresource ("pods", "pods/status") and the verbs the API really implements for it.</summary>
internal sealed record ApiResource(string Name, ResourceKind Kind, ImmutableArray<string> Verbs, bool IsSubresource)
{
    public bool Serves(string verb) => Verbs.Contains(verb);
}

/// <summary>
/// What the core group v1 serves: the one table discovery advertises and the router obeys, so kubectl is
/// never told about a verb that is not there.
/// </summary>
internal static class ApiResources
{
    private static readonly ImmutableArray<string> Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"];
    private static readonly ImmutableArray<string> StatusVerbs = ["get", "patch", "update"];

    public static readonly ImmutableArray<ApiResource> All =
    [
        new("pods", ResourceKinds.Pod, Verbs, IsSubresource: false),
        new("pods/log", ResourceKinds.Pod, ["get"], IsSubresource: true),
        // kubectl exec: GET with a WebSocket upgrade (create is POST, the SPDY upgrade, answered "Upgrade request required").
        new("pods/exec", ResourceKinds.Pod, ["create", "get"], IsSubresource: true),
        new("pods/status", ResourceKinds.Pod, StatusVerbs, IsSubresource: true),
        new("nodes", ResourceKinds.Node, Verbs, IsSubresource: false),
        new("nodes/status", ResourceKinds.Node, StatusVerbs, IsSubresource: true),
        new("namespaces", ResourceKinds.Namespace, Verbs, IsSubresource: false),
        new("namespaces/status", ResourceKinds.Namespace, StatusVerbs, IsSubresource: true),
    ];

    /// <summary>"all" for pods only, as kube-apiserver: <c>kubectl get all</c> lists them.</summary>
    public static ImmutableArray<string> Categories(ResourceKind kind) => kind == ResourceKinds.Pod ? ["all"] : [];

    public static ApiResource? Find(string plural, string? subresource)
    {
        var name = subresource is null ? plural : $"{plural}/{subresource}";
        return All.FirstOrDefault(r => r.Name == name);
    }
}
