using System.Globalization;
using Granary.Model;
using Granary.Printing;

namespace Granary.Cli.Output;

/// <summary>`granary describe node`: kubectl's layout, with the node's non-terminated pods and what they request.</summary>
internal static class NodeDescriber
{
    /// <param name="pods">The pods bound to the node that have not finished (Succeeded or Failed pods are skipped here too).</param>
    /// <param name="events">The node's events.</param>
    public static string Describe(Node node, IReadOnlyList<Pod> pods, IReadOnlyList<Event> events, DateTimeOffset now)
    {
        var w = new DescribeWriter(now);
        var status = node.Status;
        var roles = NodeColumns.Roles(node);
        w.Line(0, $"Name:\t{node.Metadata.Name}");
        w.Line(0, $"Roles:\t{(roles.Count == 0 ? "<none>" : string.Join(",", roles))}");
        w.Labels("Labels", node.Metadata.Labels);
        w.Annotations("Annotations", node.Metadata.Annotations);
        w.Line(0, $"CreationTimestamp:\t{w.Time(node.Metadata.CreationTimestamp)}");
        w.Multiline("Taints", node.Spec.Taints?.Select(Taint));
        w.Line(0, $"Unschedulable:\t{(node.Spec.Unschedulable == true ? "true" : "false")}");

        if (status?.Conditions is { Count: > 0 } conditions)
        {
            w.Line(0, "Conditions:");
            w.Line(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage");
            w.Line(1, "----\t------\t-----------------\t------------------\t------\t-------");
            foreach (var c in conditions)
                w.Line(1, $"{c.Type}\t{c.Status}\t{w.Time(c.LastHeartbeatTime)}\t{w.Time(c.LastTransitionTime)}\t{c.Reason}\t{c.Message}");
        }
        w.Line(0, "Addresses:");
        foreach (var address in status?.Addresses ?? [])
            w.Line(1, $"{address.Type}:\t{address.Address}");
        ResourceList(w, "Capacity", status?.Capacity);
        ResourceList(w, "Allocatable", status?.Allocatable);

        var info = status?.NodeInfo;
        w.Line(0, "System Info:");
        w.Line(1, $"Machine ID:\t{info?.MachineID}");
        w.Line(1, $"Kernel Version:\t{info?.KernelVersion}");
        w.Line(1, $"OS Image:\t{info?.OsImage}");
        w.Line(1, $"Operating System:\t{info?.OperatingSystem}");
        w.Line(1, $"Architecture:\t{info?.Architecture}");
        w.Line(1, $"Container Runtime Version:\t{info?.ContainerRuntimeVersion}");
        w.Line(1, $"Kubelet Version:\t{info?.KubeletVersion}");
        if (!string.IsNullOrEmpty(node.Spec.PodCIDR))
            w.Line(0, $"PodCIDR:\t{node.Spec.PodCIDR}");
        if (!string.IsNullOrEmpty(node.Spec.ProviderID))
            w.Line(0, $"ProviderID:\t{node.Spec.ProviderID}");

        DescribePods(w, node, pods.Where(p => p.Status?.Phase is not ("Succeeded" or "Failed")).ToList());
        EventsDescriber.Describe(w, events);
        return w.ToString();
    }

    private static void DescribePods(DescribeWriter w, Node node, IReadOnlyList<Pod> pods)
    {
        var allocatable = node.Status?.Allocatable is { Count: > 0 } a ? a : node.Status?.Capacity;
        var cpu = allocatable is not null && allocatable.TryGetValue("cpu", out var c) ? c.MilliValue : 0;
        var memory = allocatable is not null && allocatable.TryGetValue("memory", out var m) ? m.Value : 0;

        w.Line(0, string.Create(CultureInfo.InvariantCulture, $"Non-terminated Pods:\t({pods.Count} in total)"));
        w.Line(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge");
        w.Line(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---");
        foreach (var pod in pods.OrderBy(p => p.Metadata.Namespace, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            var (requests, limits) = PodResources.RequestsAndLimits(pod);
            w.Line(1, $"{pod.Metadata.Namespace}\t{pod.Metadata.Name}\t\t"
                + $"{PodResources.Cpu(requests.CpuMilli, cpu)}\t{PodResources.Cpu(limits.CpuMilli, cpu)}\t"
                + $"{PodResources.Memory(requests.MemoryBytes, requests.MemoryBinary, memory)}\t{PodResources.Memory(limits.MemoryBytes, limits.MemoryBinary, memory)}\t"
                + HumanDuration.Since(pod.Metadata.CreationTimestamp, w.Now));
        }

        var totals = pods.Select(PodResources.RequestsAndLimits).ToList();
        var totalRequests = PodResources.Sum(totals.Select(t => t.Requests));
        var totalLimits = PodResources.Sum(totals.Select(t => t.Limits));
        w.Line(0, "Allocated resources:");
        w.Line(1, "(Total limits may be over 100 percent, i.e., overcommitted.)");
        w.Line(1, "Resource\tRequests\tLimits");
        w.Line(1, "--------\t--------\t------");
        w.Line(1, $"cpu\t{PodResources.Cpu(totalRequests.CpuMilli, cpu)}\t{PodResources.Cpu(totalLimits.CpuMilli, cpu)}");
        w.Line(1, $"memory\t{PodResources.Memory(totalRequests.MemoryBytes, totalRequests.MemoryBinary, memory)}\t{PodResources.Memory(totalLimits.MemoryBytes, totalLimits.MemoryBinary, memory)}");
    }

    private static void ResourceList(DescribeWriter w, string title, IReadOnlyDictionary<string, Quantity>? resources)
    {
        if (resources is not { Count: > 0 })
            return;
        w.Line(0, $"{title}:");
        foreach (var (name, quantity) in resources.OrderBy(r => r.Key, StringComparer.Ordinal))
            w.Line(1, $"{name}:\t{quantity}");
    }

    /// <summary>key=value:Effect, or key:Effect without a value, as a taint's String().</summary>
    internal static string Taint(Taint t) => string.IsNullOrEmpty(t.Value) ? $"{t.Key}:{t.Effect}" : $"{t.Key}={t.Value}:{t.Effect}";
}
