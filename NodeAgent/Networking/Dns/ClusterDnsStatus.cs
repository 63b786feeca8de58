namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// Whether this node's cluster DNS answers where pods can reach it (the node address, port 53: resolv.conf has no
/// port), which decides what ClusterFirst pods get in their resolv.conf. Set once, when the server starts.
/// </summary>
public sealed class ClusterDnsStatus
{
    private volatile string? _nameserver;
    private volatile string _problem = "the cluster DNS server has not started yet";

    /// <summary>The address pods use as their nameserver; null when they cannot use the cluster DNS.</summary>
    public string? Nameserver => _nameserver;

    /// <summary>Why pods cannot use the cluster DNS (when <see cref="Nameserver"/> is null).</summary>
    public string Problem => _problem;

    public void Serving(string nameserver) => _nameserver = nameserver;

    public void Unusable(string problem)
    {
        _nameserver = null;
        _problem = problem;
    }
}
