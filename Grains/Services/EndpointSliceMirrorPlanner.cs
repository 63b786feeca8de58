using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Services;

/// <summary>
/// The EndpointSlice mirroring controller's rules, pure: the Endpoints a user wrote for a Service without a selector
/// become EndpointSlices (one per subset), so whatever reads slices (the agents' proxy and DNS, kubectl describe)
/// sees hand-written endpoints too. Endpoints labelled <c>endpointslice.kubernetes.io/skip-mirror: "true"</c> are not
/// mirrored; nor are Endpoints of a Service that has a selector (its own controller writes those slices).
/// </summary>
public static class EndpointSliceMirrorPlanner
{
    public const string ManagedBy = "endpointslicemirroring-controller.k8s.io";
    public const string SkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";

    public static ImmutableList<EndpointSlice> Plan(Service service, Endpoints? endpoints)
    {
        if (endpoints is null || endpoints.Metadata.DeletionTimestamp is not null
            || endpoints.Metadata.Labels?.GetValueOrDefault(SkipMirrorLabel) == "true")
            return [];
        var labels = (endpoints.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty)
            .Remove(EndpointsPlanner.HeadlessLabel)
            .SetItem(EndpointSlice.ServiceNameLabel, service.Metadata.Name!)
            .SetItem(EndpointSlice.ManagedByLabel, ManagedBy);
        var owner = new OwnerReference
        {
            ApiVersion = "v1", Kind = "Service", Name = service.Metadata.Name!, Uid = service.Metadata.Uid!, Controller = true, BlockOwnerDeletion = true,
        };
        var subsets = endpoints.Subsets ?? [];
        return [.. subsets.Select((subset, index) => new EndpointSlice
        {
            Metadata = new ObjectMeta
            {
                Name = EndpointSlicePlanner.NameOf(service.Metadata.Name!, $"mirror/{index}"),
                Namespace = service.Metadata.Namespace,
                Labels = labels,
                OwnerReferences = [owner],
            },
            Endpoints = [.. (subset.Addresses ?? []).Select(a => Endpoint(a, ready: true)), .. (subset.NotReadyAddresses ?? []).Select(a => Endpoint(a, ready: false))],
            Ports = subset.Ports is { Count: > 0 } ports
                ? [.. ports.Select(p => new SlicePort { Name = p.Name ?? "", Port = p.Port, Protocol = p.Protocol ?? "TCP", AppProtocol = p.AppProtocol })]
                : null,
        })];
    }

    private static SliceEndpoint Endpoint(EndpointAddress address, bool ready) => new()
    {
        Addresses = [address.Ip],
        Conditions = new EndpointConditions { Ready = ready, Serving = ready, Terminating = false },
        Hostname = address.Hostname,
        NodeName = address.NodeName,
        TargetRef = address.TargetRef,
    };
}
