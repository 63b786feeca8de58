using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Silo.Api;

/// <summary>One served resource or subresource ("pods", "pods/status") and the verbs the API really implements for it.</summary>
internal sealed record ApiResource(string Name, ResourceKind Kind, ImmutableArray<string> Verbs, bool IsSubresource)
{
    /// <summary>
    /// The group, version and kind a subresource takes and answers when it is not the object's own (pods/eviction takes a
    /// policy/v1 Eviction); discovery advertises it, and kubectl drain finds the eviction API's version by it.
    /// </summary>
    public (string Group, string Version, string Kind)? Body { get; init; }

    public bool Serves(string verb) => Verbs.Contains(verb);

    /// <summary>The group/version it is served under: "v1" (the core group, /api/v1) or e.g. "apps/v1" (/apis/apps/v1).</summary>
    public string GroupVersion => Kind.ApiVersion;

    /// <summary>The status subresource: writes to it change status only.</summary>
    public bool IsStatus => Name.EndsWith("/status", StringComparison.Ordinal);

    /// <summary>The scale subresource: reads and writes an autoscaling/v1 Scale, not the object.</summary>
    public bool IsScale => Name.EndsWith("/scale", StringComparison.Ordinal);
}

/// <summary>
/// What the API serves, per group/version: every kind of <see cref="ResourceKinds.All"/> with its subresources. The one
/// table discovery advertises and the router obeys, so kubectl is never told about a verb that is not there.
/// </summary>
internal static class ApiResources
{
    private static readonly ImmutableArray<string> Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"];
    private static readonly ImmutableArray<string> StatusVerbs = ["get", "patch", "update"];
    // The proxy subresources take every method (kube-apiserver's connect verbs, as discovery names them).
    private static readonly ImmutableArray<string> ProxyVerbs = ["create", "delete", "get", "patch", "update"];

    /// <summary>The subresources of each kind besides the object itself (kinds without a status have none).</summary>
    private static readonly ImmutableDictionary<string, ImmutableArray<(string Name, ImmutableArray<string> Verbs)>> Subresources =
        new Dictionary<string, ImmutableArray<(string, ImmutableArray<string>)>>
        {
            // exec, attach and portforward: GET with a WebSocket upgrade (create is POST, the SPDY upgrade).
            ["Pod"] = [("log", ["get"]), ("exec", ["create", "get"]), ("attach", ["create", "get"]), ("portforward", ["create", "get"]), ("binding", ["create"]), ("status", StatusVerbs), ("eviction", ["create"]), ("proxy", ProxyVerbs)],
            ["Node"] = [("status", StatusVerbs), ("proxy", ProxyVerbs)],
            ["Namespace"] = [("status", StatusVerbs)],
            ["Service"] = [("status", StatusVerbs), ("proxy", ProxyVerbs)],
            ["ReplicaSet"] = [("scale", StatusVerbs), ("status", StatusVerbs)],
            ["Deployment"] = [("scale", StatusVerbs), ("status", StatusVerbs)],
            ["PersistentVolumeClaim"] = [("status", StatusVerbs)],
            ["PersistentVolume"] = [("status", StatusVerbs)],
            ["Job"] = [("status", StatusVerbs)],
            ["CronJob"] = [("status", StatusVerbs)],
            ["PodDisruptionBudget"] = [("status", StatusVerbs)],
            ["DaemonSet"] = [("status", StatusVerbs)],
            ["StatefulSet"] = [("scale", StatusVerbs), ("status", StatusVerbs)],
            ["HorizontalPodAutoscaler"] = [("status", StatusVerbs)],
            ["ServiceAccount"] = [("token", ["create"])],
        }.ToImmutableDictionary();

    /// <summary>Subresources whose body is another kind than the object's (see <see cref="ApiResource.Body"/>).</summary>
    private static readonly ImmutableDictionary<string, (string Group, string Version, string Kind)> Bodies =
        new Dictionary<string, (string, string, string)>
        {
            ["pods/eviction"] = ("policy", "v1", "Eviction"),
            ["serviceaccounts/token"] = ("authentication.k8s.io", "v1", "TokenRequest"),
        }.ToImmutableDictionary();

    /// <summary>The kinds kube-apiserver puts in the "all" category, which <c>kubectl get all</c> lists.</summary>
    private static readonly ImmutableHashSet<string> InCategoryAll =
        ["Pod", "ReplicationController", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "Job", "CronJob", "HorizontalPodAutoscaler"];

    public static readonly ImmutableArray<ApiResource> All = [.. ResourceKinds.All.SelectMany(ResourcesOf)];

    /// <summary>The served group/versions in discovery order: "v1" first, then the named groups.</summary>
    public static readonly ImmutableArray<string> GroupVersions = [.. All.Select(r => r.GroupVersion).Distinct().OrderBy(gv => gv.Contains('/'))];

    public static ImmutableArray<string> Categories(ResourceKind kind) => InCategoryAll.Contains(kind.Kind) ? ["all"] : [];

    public static ApiResource? Find(string groupVersion, string plural, string? subresource)
    {
        var name = subresource is null ? plural : $"{plural}/{subresource}";
        return All.FirstOrDefault(r => r.Name == name && r.GroupVersion == groupVersion);
    }

    private static IEnumerable<ApiResource> ResourcesOf(ResourceKind kind)
    {
        yield return new ApiResource(kind.Plural, kind, Verbs, IsSubresource: false);
        foreach (var (name, verbs) in Subresources.GetValueOrDefault(kind.Kind, []))
            yield return new ApiResource($"{kind.Plural}/{name}", kind, verbs, IsSubresource: true) { Body = Bodies.TryGetValue($"{kind.Plural}/{name}", out var body) ? body : null };
    }
}
