using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Services;

/// <summary>What one service holds, as stored in the allocator's grain state.</summary>
[GenerateSerializer, Alias("granary.ServiceHolding")]
public sealed class ServiceHolding
{
    [Id(0)] public string Uid { get; set; } = "";
    [Id(1)] public List<string> ClusterIPs { get; set; } = [];
    [Id(2)] public List<int> NodePorts { get; set; } = [];
}

/// <summary>The allocator's grain state: holdings by service key ("namespace/name").</summary>
[GenerateSerializer, Alias("granary.ServiceAllocations")]
public sealed class ServiceAllocations
{
    public const string StateName = "service-addresses";

    [Id(0)] public Dictionary<string, ServiceHolding> Holdings { get; set; } = [];
}

/// <summary>
/// The allocation rules, pure: which cluster IPs and node ports are taken and by whom, how a request is granted or
/// refused (with kube-apiserver's wording), and what a release frees. A request is granted whole or not at all.
/// </summary>
public sealed class ServiceAddressBook
{
    private readonly ServiceNetwork _network;
    private readonly Dictionary<string, ServiceHolding> _holdings;
    private readonly Dictionary<uint, string> _ips = [];
    private readonly Dictionary<int, string> _ports = [];

    public ServiceAddressBook(ServiceNetwork network, Dictionary<string, ServiceHolding> holdings)
    {
        _network = network;
        _holdings = holdings;
        foreach (var (owner, holding) in holdings)
            Index(owner, holding);
    }

    public int AllocatedIPs => _ips.Count;

    public int AllocatedNodePorts => _ports.Count;

    public ServiceAddresses? HoldingsOf(string owner) =>
        _holdings.TryGetValue(owner, out var h) ? new ServiceAddresses(h.ClusterIPs.FirstOrDefault(), [.. h.NodePorts.Select(p => (int?)p)]) : null;

    /// <summary>Grants <paramref name="request"/> or throws (Invalid for a taken or out-of-range value, ServiceUnavailable when full).</summary>
    public ServiceAddresses Allocate(ServiceAddressRequest request, Random random)
    {
        if (_holdings.TryGetValue(request.Owner, out var stale) && stale.Uid != request.Uid)
            Release(request.Owner);
        var name = request.Owner[(request.Owner.IndexOf('/', StringComparison.Ordinal) + 1)..];
        var errors = ImmutableList.CreateBuilder<FieldError>();

        uint? ip = null;
        if (request.ClusterIP is { Length: > 0 } wanted)
        {
            if (ServiceNetwork.TryParseAddress(wanted) is not { } address || !_network.Contains(address))
                errors.Add(IpError(wanted, $"the provided IP ({wanted}) is not in the valid range. The range of valid IPs is {_network.Cidr}"));
            else if (_ips.TryGetValue(address, out var holder) && holder != request.Owner)
                errors.Add(IpError(wanted, "provided IP is already allocated"));
            else
                ip = address;
        }

        var ports = new int?[request.NodePorts.Length];
        for (var i = 0; i < request.NodePorts.Length; i++)
        {
            if (request.NodePorts[i] is not { } port || port <= 0)
                continue;
            if (port < _network.MinNodePort || port > _network.MaxNodePort)
                errors.Add(PortError(i, port, $"provided port is not in the valid range. The range of valid ports is {_network.PortRange}"));
            else if (_ports.TryGetValue(port, out var holder) && holder != request.Owner)
                errors.Add(PortError(i, port, "provided port is already allocated"));
            else
                ports[i] = port;
        }
        if (errors.Count > 0)
            throw new InvalidException(ResourceKinds.Service.Kind, name, errors.ToImmutable());

        if (request.ClusterIP is "")
            ip = DrawIP(random) ?? throw new ServiceUnavailableException($"failed to allocate a serviceIP: range is full (service CIDR {_network.Cidr}; give a larger one with --service-cidr)");
        var drawn = new HashSet<int>(ports.OfType<int>());
        for (var i = 0; i < request.NodePorts.Length; i++)
        {
            if (request.NodePorts[i] != 0)
                continue;
            ports[i] = DrawPort(random, drawn) ?? throw new ServiceUnavailableException($"failed to allocate a nodePort: range is full (node port range {_network.PortRange})");
            drawn.Add(ports[i]!.Value);
        }

        var holding = _holdings.TryGetValue(request.Owner, out var h) ? h : _holdings[request.Owner] = new ServiceHolding { Uid = request.Uid };
        if (ip is { } granted && !holding.ClusterIPs.Contains(ServiceNetwork.Format(granted)))
            holding.ClusterIPs.Add(ServiceNetwork.Format(granted));
        foreach (var port in drawn.Where(p => !holding.NodePorts.Contains(p)))
            holding.NodePorts.Add(port);
        Index(request.Owner, holding);
        return new ServiceAddresses(ip is { } a ? ServiceNetwork.Format(a) : null, [.. ports]);
    }

    /// <summary>Keeps only <paramref name="keep"/> of what the owner holds; false when nothing changed.</summary>
    public bool Retain(string owner, string uid, ServiceAddresses keep)
    {
        if (!_holdings.TryGetValue(owner, out var holding) || holding.Uid != uid)
            return false;
        var ips = holding.ClusterIPs.Where(ip => ip == keep.ClusterIP).ToList();
        var ports = holding.NodePorts.Where(p => keep.NodePorts.Contains(p)).ToList();
        if (ips.Count == holding.ClusterIPs.Count && ports.Count == holding.NodePorts.Count)
            return false;
        Release(owner);
        if (ips.Count + ports.Count > 0)
        {
            var kept = new ServiceHolding { Uid = uid, ClusterIPs = ips, NodePorts = ports };
            _holdings[owner] = kept;
            Index(owner, kept);
        }
        return true;
    }

    private void Release(string owner)
    {
        if (!_holdings.Remove(owner, out var holding))
            return;
        foreach (var ip in holding.ClusterIPs)
            if (ServiceNetwork.TryParseAddress(ip) is { } address && _ips.GetValueOrDefault(address) == owner)
                _ips.Remove(address);
        foreach (var port in holding.NodePorts)
            if (_ports.GetValueOrDefault(port) == owner)
                _ports.Remove(port);
    }

    private void Index(string owner, ServiceHolding holding)
    {
        foreach (var ip in holding.ClusterIPs)
            if (ServiceNetwork.TryParseAddress(ip) is { } address)
                _ips[address] = owner;
        foreach (var port in holding.NodePorts)
            _ports[port] = owner;
    }

    /// <summary>A free address other than the first (the <c>kubernetes</c> service's), from a random start, as kube does.</summary>
    private uint? DrawIP(Random random)
    {
        var low = _network.First + 1;
        var count = _network.Last >= low ? _network.Last - low + 1 : 0;
        if (count == 0)
            return null;
        var start = (uint)random.NextInt64(count);
        for (uint i = 0; i < count; i++)
        {
            var candidate = low + ((start + i) % count);
            if (!_ips.ContainsKey(candidate))
                return candidate;
        }
        return null;
    }

    private int? DrawPort(Random random, HashSet<int> drawn)
    {
        var count = _network.MaxNodePort - _network.MinNodePort + 1;
        var start = random.Next(count);
        for (var i = 0; i < count; i++)
        {
            var candidate = _network.MinNodePort + ((start + i) % count);
            if (!_ports.ContainsKey(candidate) && !drawn.Contains(candidate))
                return candidate;
        }
        return null;
    }

    private static FieldError IpError(string ip, string reason) =>
        new("spec.clusterIPs", "Invalid value", $"[]string{{\"{ip}\"}}: failed to allocate IP {ip}: {reason}");

    private static FieldError PortError(int index, int port, string reason) =>
        new($"spec.ports[{index}].nodePort", "Invalid value", $"{port}: {reason}");
}
