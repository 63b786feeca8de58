namespace Granary.NodeAgent.Networking;

/// <summary>Every pod shares the node's network and so its address, as with hostNetwork: true.</summary>
public sealed class HostPodNetwork : IPodNetwork
{
    public HostPodNetwork(string nodeIp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeIp);
        NodeIp = nodeIp;
    }

    public string Name => PodNetworks.Host;

    public string NodeIp { get; }

    /// <summary>The node's address, whatever the pod had before: it follows the node.</summary>
    public string? AssignAddress(string podUid, string? existing, IReadOnlyCollection<string> inUse) => NodeIp;

    public void Release(string podUid)
    {
        // Nothing is held per pod.
    }
}
