using System.Net;
using System.Net.Sockets;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>Where the cluster DNS forwards names outside the cluster domain: --dns-upstream, else the host's nameservers.</summary>
public static class DnsUpstreams
{
    /// <summary>
    /// "ip[:port],…" (IPv6 as "[::1]:53"); unset or empty: the host's nameservers. Our own listening address is left
    /// out, since forwarding to it would loop; a local stub such as 127.0.0.53 is kept (it forwards elsewhere).
    /// </summary>
    /// <exception cref="ArgumentException">A --dns-upstream entry is no address.</exception>
    public static IReadOnlyList<IPEndPoint> Resolve(string? flag, HostDnsConfig host, IPEndPoint listening)
    {
        var upstreams = string.IsNullOrWhiteSpace(flag)
            ? host.Nameservers.Select(s => IPAddress.TryParse(s, out var ip) ? new IPEndPoint(ip, 53) : null).OfType<IPEndPoint>()
            : flag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseEntry);
        return [.. upstreams.Where(u => !Loops(u, listening)).Distinct()];
    }

    private static IPEndPoint ParseEntry(string entry)
    {
        // "1.1.1.1" reads as port 0: the standard port then.
        if (IPEndPoint.TryParse(entry, out var endpoint))
            return endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint;
        throw new ArgumentException($"--dns-upstream: \"{entry}\" is not an address; write ip[:port] entries separated by commas, e.g. 1.1.1.1,9.9.9.9:53");
    }

    private static bool Loops(IPEndPoint upstream, IPEndPoint listening) =>
        upstream.Port == listening.Port
        && (upstream.Address.Equals(listening.Address) || listening.Address.Equals(IPAddress.Any) && upstream.Address.AddressFamily == AddressFamily.InterNetwork);
}
