using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Server.PortForward;

/// <summary>
/// Where a pod of this node answers: the address its running containers were given. Read from the engine (the
/// containers' labels), not from the API, so the agent forwards only to pods it really runs.
/// </summary>
public sealed class PodAddresses(IContainerRuntime runtime, NodeIdentity node)
{
    /// <summary>The pod's address; null when this node runs no container of the pod.</summary>
    /// <exception cref="PodNotRunningException">The pod's containers are all stopped.</exception>
    public async Task<string?> FindAsync(string @namespace, string pod, CancellationToken ct)
    {
        var selector = ContainerNaming.NodeSelector(node.Name);
        selector[ContainerLabels.PodNamespace] = @namespace;
        selector[ContainerLabels.PodName] = pod;
        var containers = await runtime.ListAsync(selector, ct);
        if (containers.Count == 0)
            return null;
        var running = containers.FirstOrDefault(c => c.State == ContainerRunState.Running)
            ?? throw new PodNotRunningException($"pod {@namespace}/{pod} has no running container on node {node.Name}: wait until it runs (kubectl get pod {pod} -n {@namespace})");
        // A container of the process driver shares the node's address.
        return ContainerNaming.Label(running, ContainerNaming.PodIpLabel) ?? node.Ip;
    }
}

/// <summary>The pod is this node's, but none of its containers runs, so nothing can answer on its address.</summary>
public sealed class PodNotRunningException(string message) : Exception(message);
