using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Granary.Model;

namespace Granary.Grains.Services;

/// <summary>
/// What a service's EndpointSlices should be, given the pods its selector matches: the EndpointSlice controller's
/// rules, pure. One slice per set of resolved ports (named after the service and that set, so the same pods give the
/// same names), each endpoint with its ready, serving and terminating conditions; a service without pods keeps one
/// empty slice, as kube does.
/// </summary>
public static class EndpointSlicePlanner
{
    public const string ManagedBy = "endpointslice-controller.k8s.io";

    public static ImmutableList<EndpointSlice> Plan(Service service, IEnumerable<Pod> pods)
    {
        var ports = service.Spec.Ports ?? [];
        var publishNotReady = service.Spec.PublishNotReadyAddresses == true;
        var groups = new SortedDictionary<string, (ImmutableList<SlicePort> Ports, List<SliceEndpoint> Endpoints)>(StringComparer.Ordinal);
        foreach (var pod in pods.OrderBy(p => p.Status?.PodIP, StringComparer.Ordinal))
        {
            if (pod.Status?.Phase is "Succeeded" or "Failed" || string.IsNullOrEmpty(pod.Status?.PodIP))
                continue;
            var serving = EndpointsPlanner.IsReady(pod);
            var terminating = pod.Metadata.DeletionTimestamp is not null;
            var endpoint = new SliceEndpoint
            {
                Addresses = [pod.Status!.PodIP!],
                Conditions = new EndpointConditions { Ready = publishNotReady || (serving && !terminating), Serving = serving, Terminating = terminating },
                Hostname = EndpointsPlanner.HostnameFor(pod, service),
                NodeName = pod.Spec.NodeName,
                TargetRef = new ObjectReference { Kind = "Pod", Namespace = pod.Metadata.Namespace, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            };
            var resolved = ports
                .Select(p => EndpointsPlanner.FindPort(pod, p) is { } number ? new SlicePort { Name = p.Name ?? "", Port = number, Protocol = p.Protocol, AppProtocol = p.AppProtocol } : null)
                .OfType<SlicePort>()
                .ToImmutableList();
            var key = string.Join(",", resolved.Select(p => $"{p.Name}/{p.Port}/{p.Protocol}"));
            if (!groups.TryGetValue(key, out var group))
                groups[key] = group = (resolved, []);
            group.Endpoints.Add(endpoint);
        }
        if (groups.Count == 0)
            groups[""] = ([], []);

        var labels = (service.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty)
            .SetItem(EndpointSlice.ServiceNameLabel, service.Metadata.Name!)
            .SetItem(EndpointSlice.ManagedByLabel, ManagedBy);
        if (service.Spec.ClusterIP == Service.ClusterIPNone)
            labels = labels.SetItem(EndpointsPlanner.HeadlessLabel, "");
        var owner = new OwnerReference
        {
            ApiVersion = "v1", Kind = "Service", Name = service.Metadata.Name!, Uid = service.Metadata.Uid!, Controller = true, BlockOwnerDeletion = true,
        };
        return [.. groups.Select(g => new EndpointSlice
        {
            Metadata = new ObjectMeta
            {
                Name = NameOf(service.Metadata.Name!, g.Key),
                Namespace = service.Metadata.Namespace,
                Labels = labels,
                OwnerReferences = [owner],
            },
            Endpoints = [.. g.Value.Endpoints],
            Ports = g.Value.Ports.IsEmpty ? null : g.Value.Ports,
        })];
    }

    /// <summary>"&lt;service&gt;-&lt;5 characters&gt;", stable for the same port set (FNV-1a of its key).</summary>
    public static string NameOf(string service, string portsKey)
    {
        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(portsKey))
            hash = (hash ^ b) * 16777619u;
        var suffix = new StringBuilder(5);
        for (var i = 0; i < 5; i++, hash /= (uint)Alphabet.Length)
            suffix.Append(Alphabet[(int)(hash % (uint)Alphabet.Length)]);
        return string.Create(CultureInfo.InvariantCulture, $"{service}-{suffix}");
    }
}
