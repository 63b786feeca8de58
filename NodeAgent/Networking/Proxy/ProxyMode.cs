namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>Which backend realizes the service proxy's plan (kube-proxy's --proxy-mode).</summary>
public enum ProxyMode
{
    /// <summary>The userspace relay (<see cref="SocketProxy"/>): works unprivileged, retries a refused endpoint on another.</summary>
    Relay,

    /// <summary>Kernel NAT rules (<see cref="Nftables.NftablesProxy"/>): no byte crosses the agent; needs nft and CAP_NET_ADMIN.</summary>
    Nftables,
}

public static class ProxyModes
{
    /// <summary>Reads --proxy-mode; an unknown value names the ones accepted.</summary>
    public static ProxyMode Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "relay" => ProxyMode.Relay,
        "nftables" => ProxyMode.Nftables,
        _ => throw new ArgumentException($"--proxy-mode \"{text}\" is not a proxy mode; write relay (the userspace relay, the default) or nftables (kernel NAT rules; needs the nft program and root)."),
    };
}
