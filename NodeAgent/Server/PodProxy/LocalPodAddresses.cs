using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Pods.Sync;

namespace Granary.NodeAgent.Server.PodProxy;

/// <summary>
/// The address of a pod this agent runs, for the pod proxy: the one the agent itself observed (the last status it
/// built) before the control plane's copy, which may lag. Only pods of this node are reachable through its proxy.
/// </summary>
public sealed class LocalPodAddresses(DesiredPods desired, PodRecords records)
{
    public PodAddressLookup Find(string @namespace, string name)
    {
        if (desired.Find(@namespace, name) is not { } pod)
            return PodAddressLookup.Failed(404, "NotFound", $"pods \"{name}\" not found on this node: the agent runs no pod {@namespace}/{name}");
        var status = (pod.Metadata.Uid is { } uid ? records.Find(uid)?.Snapshot().LastStatus : null) ?? pod.Status;
        if (status?.Phase is "Succeeded" or "Failed")
            return PodAddressLookup.Failed(503, "ServiceUnavailable", $"pod {@namespace}/{name} is not running (phase {status.Phase}): nothing listens on its address");
        if (pod.Metadata.DeletionTimestamp is not null)
            return PodAddressLookup.Failed(503, "ServiceUnavailable", $"pod {@namespace}/{name} is terminating");
        if (string.IsNullOrEmpty(status?.PodIP))
            return PodAddressLookup.Failed(503, "ServiceUnavailable", $"pod {@namespace}/{name} has no IP address yet (phase {status?.Phase ?? "Pending"}): wait until it runs");
        return new PodAddressLookup(status.PodIP, 200, "", "");
    }
}

/// <summary>A pod's address, or why the proxy cannot reach it (an HTTP code, a Status reason and a message).</summary>
public sealed record PodAddressLookup(string? Address, int Code, string Reason, string Message)
{
    public static PodAddressLookup Failed(int code, string reason, string message) => new(null, code, reason, message);
}
