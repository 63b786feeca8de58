namespace Granary.NodeAgent.Networking;

/// <summary>
/// The engine's own pod network (Docker's bridge): the engine picks the address when it starts the pod's first
/// container, so the agent learns it afterwards and has nothing to hand out. Not exercised on the test machines,
/// where dockerd runs with --bridge=none.
/// </summary>
public sealed class BridgePodNetwork : IPodNetwork
{
    public string Name => PodNetworks.Bridge;

    /// <summary>The address the engine gave the pod's running container, or null before there is one.</summary>
    public string? AssignAddress(string podUid, string? existing, IReadOnlyCollection<string> inUse) => existing;

    public void Release(string podUid)
    {
        // The engine frees the address with the container.
    }
}
