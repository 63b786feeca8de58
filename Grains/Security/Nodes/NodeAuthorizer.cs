using Granary.Model;

namespace Granary.Grains.Security.Nodes;

/// <summary>
/// Kubernetes' Node authorizer for the grain surface: a node's identity (system:node:NAME in system:nodes) may act on
/// its own Node (and its status) and Lease, on the pods bound to it (read, status, delete as the kubelet does), create
/// events, read Services, Endpoints and EndpointSlices (as kube-proxy), read the Secrets, ConfigMaps,
/// PersistentVolumeClaims and ServiceAccounts its pods reference, create tokens for its pods' ServiceAccounts, read
/// the cluster CA and have its own serving certificate signed. Everything else a node asks is denied (it is not
/// passed on to RBAC); for anyone who is not a node this authorizer has no opinion.
/// </summary>
public sealed class NodeAuthorizer(INodeGraph graph) : IAuthorizer
{
    private static readonly HashSet<string> ReadVerbs = ["get", "list", "watch"];
    private static readonly HashSet<string> WriteVerbs = ["create", "update", "patch"];

    public async ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes a, CancellationToken cancellationToken = default)
    {
        if (!a.User.InGroup(WellKnownGroups.Nodes))
            return AuthorizationResult.NoOpinion;
        if (!a.User.Name.StartsWith(WellKnownUsers.NodePrefix, StringComparison.Ordinal) || a.User.Name.Length == WellKnownUsers.NodePrefix.Length)
            return Deny($"unknown node for user \"{a.User.Name}\"");
        var node = a.User.Name[WellKnownUsers.NodePrefix.Length..];

        if (!a.IsResourceRequest)
            return a.Verb == "get" && a.Path == GrainCalls.GrainCallMap.ClusterCaPath ? Allow : Deny($"node \"{node}\" may not {a.Verb} path \"{a.Path}\"");

        return (a.ApiGroup, a.Resource) switch
        {
            ("", "nodes") => Nodes(a, node),
            ("coordination.k8s.io", "leases") => a.Namespace == GrainCalls.GrainCallMap.NodeLeaseNamespace && a.Name == node && (ReadVerbs.Contains(a.Verb) || WriteVerbs.Contains(a.Verb))
                ? Allow : Deny($"node \"{node}\" may only use its own lease {GrainCalls.GrainCallMap.NodeLeaseNamespace}/{node}"),
            ("", "pods") => await PodsAsync(a, node),
            ("", "events") => a.Verb is "create" or "update" or "patch" ? Allow : Deny($"node \"{node}\" may only create and update events"),
            ("", "services") or ("", "endpoints") or ("discovery.k8s.io", "endpointslices") =>
                ReadVerbs.Contains(a.Verb) && a.Subresource.Length == 0 ? Allow : Deny($"node \"{node}\" may only read {a.Resource}"),
            ("", "secrets") or ("", "configmaps") or ("", "persistentvolumeclaims") => await ReferencedAsync(a, node),
            ("", "serviceaccounts") => await ReferencedAsync(a, node),
            ("", "persistentvolumes") => await VolumeAsync(a, node),
            ("certificates.k8s.io", "certificatesigningrequests") => a.Verb == "create" && a.Subresource == "nodeserving" && a.Name == node
                ? Allow : Deny($"node \"{node}\" may only have its own serving certificate signed"),
            _ => Deny($"node \"{node}\" may not {a.Verb} {a.Resource}"),
        };
    }

    private static AuthorizationResult Nodes(AuthorizationAttributes a, string node)
    {
        if (ReadVerbs.Contains(a.Verb) && a.Subresource.Length == 0)
            return Allow;
        if (a.Name == node && WriteVerbs.Contains(a.Verb) && a.Subresource is "" or "status")
            return Allow;
        return Deny(a.Name.Length > 0 && a.Name != node
            ? $"node \"{node}\" may not modify node \"{a.Name}\""
            : $"node \"{node}\" may not {a.Verb} nodes{(a.Subresource.Length > 0 ? "/" + a.Subresource : "")}");
    }

    private async ValueTask<AuthorizationResult> PodsAsync(AuthorizationAttributes a, string node)
    {
        if (a.Verb is "list" or "watch")
            return a.Subresource.Length == 0 && a.FieldSelector == $"spec.nodeName={node}"
                ? Allow : Deny($"node \"{node}\" may only {a.Verb} the pods bound to it (fieldSelector spec.nodeName={node})");
        var allowed = (a.Verb, a.Subresource) switch
        {
            ("get", "") or ("delete", "") or ("update", "status") or ("patch", "status") => true,
            _ => false,
        };
        if (!allowed || a.Name.Length == 0)
            return Deny($"node \"{node}\" may not {a.Verb} pods{(a.Subresource.Length > 0 ? "/" + a.Subresource : "")}");
        return await AnyPodAsync(node, p => p.Metadata.Namespace == a.Namespace && p.Metadata.Name == a.Name)
            ? Allow : Deny($"no relationship found between node '{node}' and this object");
    }

    private async ValueTask<AuthorizationResult> ReferencedAsync(AuthorizationAttributes a, string node)
    {
        var token = a.Resource == "serviceaccounts" && a.Subresource == "token" && a.Verb == "create";
        if (!token && (a.Verb != "get" || a.Subresource.Length > 0 || a.Name.Length == 0))
            return Deny($"node \"{node}\" may only get the {a.Resource} its pods use, by name");
        return await AnyPodAsync(node, p => p.Metadata.Namespace == a.Namespace && References(p, a.Resource, a.Name))
            ? Allow : Deny($"no relationship found between node '{node}' and this object");
    }

    /// <summary>kube's graph edge pv → pvc → pod → node: a node may get the volumes bound to the claims its pods use.</summary>
    private async ValueTask<AuthorizationResult> VolumeAsync(AuthorizationAttributes a, string node)
    {
        if (a.Verb != "get" || a.Subresource.Length > 0 || a.Name.Length == 0)
            return Deny($"node \"{node}\" may only get the persistentvolumes its pods use, by name");
        foreach (var consistent in new[] { false, true })
        {
            foreach (var pod in await graph.PodsOnAsync(node, consistent))
            {
                foreach (var claim in PodReferences.Of(pod.Spec).PersistentVolumeClaims)
                {
                    if ((await graph.ClaimAsync(pod.Metadata.Namespace!, claim, consistent))?.Spec.VolumeName == a.Name)
                        return Allow;
                }
            }
        }
        return Deny($"no relationship found between node '{node}' and this object");
    }

    private static bool References(Pod pod, string resource, string name)
    {
        if (resource == "serviceaccounts")
            return (pod.Spec.ServiceAccountName ?? "default") == name;
        var references = PodReferences.Of(pod.Spec);
        return resource switch
        {
            "secrets" => references.Secrets.Contains(name),
            "configmaps" => references.ConfigMaps.Contains(name),
            "persistentvolumeclaims" => references.PersistentVolumeClaims.Contains(name),
            _ => false,
        };
    }

    /// <summary>Whether a pod on the node matches; asked of the cache first, then consistently before denying.</summary>
    private async ValueTask<bool> AnyPodAsync(string node, Func<Pod, bool> match) =>
        (await graph.PodsOnAsync(node, consistent: false)).Any(match) || (await graph.PodsOnAsync(node, consistent: true)).Any(match);

    private static readonly AuthorizationResult Allow = new(AuthorizationDecision.Allow);

    private static AuthorizationResult Deny(string reason) => new(AuthorizationDecision.Deny, reason);
}
