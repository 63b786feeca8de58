using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Granary.Grains.Services;

/// <summary>
/// Where service addresses come from: the service CIDR (cluster IPs; its first address is the <c>kubernetes</c>
/// service's) and the node port range. Addresses on paper: nothing routes to them unless a proxy does.
/// </summary>
public sealed class ServiceNetworkOptions
{
    /// <summary>As k3s: 10.43.0.0/16.</summary>
    public const string DefaultServiceCidr = "10.43.0.0/16";

    public const string DefaultNodePortRange = "30000-32767";

    public string ServiceCidr { get; set; } = DefaultServiceCidr;

    public string NodePortRange { get; set; } = DefaultNodePortRange;

    /// <summary>The parsed settings; throws <see cref="FormatException"/> naming the setting and the expected form.</summary>
    public ServiceNetwork Parse() => ServiceNetwork.Parse(ServiceCidr, NodePortRange);
}

/// <summary>The service CIDR and node port range, parsed. IPv4 only.</summary>
public sealed record ServiceNetwork(string Cidr, uint Network, int PrefixLength, int MinNodePort, int MaxNodePort)
{
    public uint Size => PrefixLength == 0 ? uint.MaxValue : 1u << (32 - PrefixLength);

    /// <summary>The first usable address: the <c>kubernetes</c> service's, never handed out to others.</summary>
    public uint First => Network + 1;

    /// <summary>The last usable address (the broadcast address is not used).</summary>
    public uint Last => Network + Size - 2;

    public string FirstAddress => Format(First);

    public string PortRange => $"{MinNodePort}-{MaxNodePort}";

    public bool Contains(uint address) => address >= First && address <= Last;

    public static ServiceNetwork Parse(string cidr, string nodePortRange)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 1 or > 30)
            throw new FormatException($"service CIDR \"{cidr}\" is not an IPv4 network with a prefix of /1 to /30 (e.g. {ServiceNetworkOptions.DefaultServiceCidr})");
        var mask = uint.MaxValue << (32 - prefix);
        var network = ToUInt(ip) & mask;

        var dash = nodePortRange.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0
            || !int.TryParse(nodePortRange[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            || !int.TryParse(nodePortRange[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var max)
            || min < 1 || max > 65535 || min > max)
            throw new FormatException($"node port range \"{nodePortRange}\" is not LOW-HIGH within 1-65535 (e.g. {ServiceNetworkOptions.DefaultNodePortRange})");
        return new ServiceNetwork($"{Format(network)}/{prefix}", network, prefix, min, max);
    }

    /// <summary>An IPv4 address as a number, or null when <paramref name="text"/> is not one.</summary>
    public static uint? TryParseAddress(string text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork && ip.ToString() == text ? ToUInt(ip) : null;

    public static string Format(uint address) =>
        $"{address >> 24}.{(address >> 16) & 0xff}.{(address >> 8) & 0xff}.{address & 0xff}";

    private static uint ToUInt(IPAddress ip)
    {
        var b = ip.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }
}
