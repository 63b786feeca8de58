namespace Granary.NodeAgent.Networking;

/// <summary>
/// Where pods get their addresses (status.podIP). One instance per agent; implementations are thread-safe.
/// </summary>
public interface IPodNetwork
{
    /// <summary>host, loopback or bridge.</summary>
    string Name { get; }

    /// <summary>
    /// The address a pod uses. Idempotent: the same pod keeps the same address until <see cref="Release"/>.
    /// <paramref name="existing"/> is the address a running container of the pod already has (from its label),
    /// so an adopted pod keeps it; <paramref name="inUse"/> are addresses other pods hold, never handed out again.
    /// Null when the address is only known once the engine has started the pod's containers.
    /// Throws <see cref="PodAddressExhaustedException"/> when no address is left.
    /// </summary>
    string? AssignAddress(string podUid, string? existing, IReadOnlyCollection<string> inUse);

    /// <summary>Frees the pod's address (the pod is gone). Idempotent.</summary>
    void Release(string podUid);
}

/// <summary>The pod network has no address left for a new pod; the pod cannot start on this node.</summary>
public sealed class PodAddressExhaustedException(string message) : Exception(message);
