namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>The userspace proxy's knobs.</summary>
public sealed record ServiceProxyOptions
{
    /// <summary>How long a UDP flow lives without a datagram either way (conntrack's UDP stream timeout is 120 s; 30 s frees sockets sooner).</summary>
    public TimeSpan UdpIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one endpoint may take to accept a connection before the next is tried.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
