namespace Granary.NodeAgent.Networking.Proxy.Nftables;

/// <summary>
/// net.ipv4.conf.all.route_localnet: the kernel routes a packet that arrived from another host to a 127.x address
/// only when it is 1. With a non-loopback node address, node ports DNAT such packets to loopback pod addresses
/// (the loopback pod network), so the nftables mode sets it, as kube-proxy does for node ports on 127.0.0.1, and its
/// table drops what arrives for 127.x from elsewhere without having been DNATed there.
/// </summary>
public static class RouteLocalnet
{
    private const string Path = "/proc/sys/net/ipv4/conf/all/route_localnet";

    /// <summary>Sets it to 1; throws <see cref="NftablesException"/> saying how to fix it when the agent may not.</summary>
    public static void Enable()
    {
        try
        {
            if (File.ReadAllText(Path).Trim() != "1")
                File.WriteAllText(Path, "1\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NftablesException($"cannot set {Path} to 1 ({e.Message}); node ports on a non-loopback node address need it in nftables mode: run the agent as root, set it with sysctl -w net.ipv4.conf.all.route_localnet=1, or use --proxy-mode relay");
        }
    }
}
