namespace Granary.NodeAgent.Networking;

/// <summary>The pod networks by name, as the agent's settings choose them.</summary>
public static class PodNetworks
{
    public const string Host = "host";
    public const string Loopback = "loopback";
    public const string Bridge = "bridge";

    /// <summary>
    /// The network called <paramref name="name"/> (case-insensitive). <paramref name="cidr"/> is the block the
    /// loopback network hands out; the others ignore it. Throws <see cref="ArgumentException"/> saying how to fix a bad setting.
    /// </summary>
    public static IPodNetwork Create(string name, string nodeIp, string? cidr) => name.Trim().ToLowerInvariant() switch
    {
        Host => new HostPodNetwork(nodeIp),
        Loopback when string.IsNullOrWhiteSpace(cidr) => throw new ArgumentException(
            "the loopback pod network needs an address block in 127.0.0.0/8 (pod CIDR), e.g. 127.1.1.0/24", nameof(cidr)),
        Loopback => new LoopbackPodNetwork(cidr!),
        Bridge => new BridgePodNetwork(),
        _ => throw new ArgumentException(
            $"unknown pod network '{name}': use {Host} (pods share the node's address), {Loopback} (one 127.x address per pod) or {Bridge} (the engine's network)",
            nameof(name)),
    };
}
