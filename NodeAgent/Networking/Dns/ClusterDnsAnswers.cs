using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Granary.Model;
using Granary.NodeAgent.Networking.Services;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// The records of the cluster domain, as CoreDNS' kubernetes plugin gives them: a Service's name is its cluster IP,
/// or the ready endpoints of a headless Service; <c>_PORT._PROTO.NAME…</c> its named ports (SRV); an endpoint's
/// hostname its address; an ExternalName Service a CNAME; <c>A-B-C-D.NS.pod…</c> that address. Names that do not
/// exist are NXDOMAIN, names that exist without the asked type NODATA, both with the zone's SOA so resolvers cache
/// the absence for the TTL. Pure: question and facts in, answer out.
/// </summary>
public sealed class ClusterDnsAnswers
{
    /// <summary>Every record lives 5 s (CoreDNS' default for the kubernetes plugin is 5 s as well).</summary>
    public const int DefaultTtl = 5;

    private readonly DomainName _zone;
    private readonly int _ttl;
    private readonly SoaRecord _soa;

    public ClusterDnsAnswers(DomainName zone, int ttl = DefaultTtl)
    {
        _zone = zone;
        _ttl = ttl;
        // CoreDNS' names for the zone's SOA; refresh, retry and expire as it writes them, the minimum is the TTL.
        _soa = new SoaRecord(zone, ttl, DomainName.Parse("ns.dns") + zone, DomainName.Parse("hostmaster") + zone, 1, 7200, 1800, 86400, ttl);
    }

    public DomainName Zone => _zone;

    /// <summary>Whether answering <paramref name="name"/> needs the Service's endpoints (headless Services, endpoint names).</summary>
    public static bool NeedsEndpoints(ClusterName name, Service? service) =>
        service is not null && IsHeadless(service) && name is ServiceName or ServicePortName or EndpointName;

    public DnsAnswer Answer(DomainName question, RecordType type, ClusterName name, ClusterDnsFacts facts) => name switch
    {
        ZoneName when type == RecordType.Soa && question.Equals(_zone, false) => Records([_soa]),
        ZoneName => NoData(),
        NamespaceName => facts.NamespaceHasServices ? NoData() : NxDomain(),
        PodName pod => Addresses(question, type, [pod.Address]),
        ServiceName when facts.Service is null => NxDomain(),
        ServiceName when facts.Service.Spec.Type == ServiceTypes.ExternalName => ExternalName(question, type, facts.Service),
        ServiceName when IsHeadless(facts.Service) => ReadyAddresses(facts) is { Count: > 0 } ready ? Addresses(question, type, ready) : NxDomain(),
        ServiceName => Addresses(question, type, ClusterIPs(facts.Service)),
        ServicePortName port when facts.Service is null => NxDomain(),
        ServicePortName port => Port(question, type, port, facts),
        EndpointName endpoint when facts.Service is null || !IsHeadless(facts.Service) => NxDomain(),
        EndpointName endpoint => Endpoint(question, type, endpoint, facts),
        _ => NxDomain(),
    };

    /// <summary>PTR for a cluster IP: the Service's name. Null when no Service has the address (the server forwards then).</summary>
    public DnsAnswer? Reverse(DomainName question, Service? service) =>
        service is null
            ? null
            : Records([new PtrRecord(question, _ttl, NameOf(ServiceKey.Of(service)))]);

    /// <summary>The address a reverse name (<c>4.3.2.1.in-addr.arpa</c>) stands for; null for any other name.</summary>
    public static IPAddress? ReverseAddress(DomainName question)
    {
        var labels = question.Labels;
        if (labels.Length == 6 && labels[4].Equals("in-addr", StringComparison.OrdinalIgnoreCase) && labels[5].Equals("arpa", StringComparison.OrdinalIgnoreCase)
            && IPAddress.TryParse(string.Join('.', labels.Take(4).Reverse()), out var v4))
            return v4;
        if (labels.Length == 34 && labels[32].Equals("ip6", StringComparison.OrdinalIgnoreCase) && labels[33].Equals("arpa", StringComparison.OrdinalIgnoreCase))
        {
            var nibbles = string.Concat(labels.Take(32).Reverse());
            var grouped = string.Join(':', Enumerable.Range(0, 8).Select(i => nibbles.Substring(i * 4, 4)));
            return IPAddress.TryParse(grouped, out var v6) ? v6 : null;
        }
        return null;
    }

    public DomainName NameOf(ServiceKey service) => new DomainName([service.Name, service.Namespace, "svc"]) + _zone;

    private DnsAnswer ExternalName(DomainName question, RecordType type, Service service)
    {
        if (!DomainName.TryParse(service.Spec.ExternalName ?? "", out var target) || target is null || target.LabelCount == 0)
            return NxDomain();
        return new DnsAnswer(ReturnCode.NoError, [new CNameRecord(question, _ttl, target)], [], [],
            type is RecordType.CName ? null : target);
    }

    private DnsAnswer Port(DomainName question, RecordType type, ServicePortName port, ClusterDnsFacts facts)
    {
        var service = facts.Service!;
        if (service.Spec.Type == ServiceTypes.ExternalName)
            return ExternalName(question, type, service);
        if (!IsHeadless(service))
        {
            var matching = (service.Spec.Ports ?? []).Where(p => PortMatches(p.Name, p.Protocol, port)).ToList();
            if (matching.Count == 0)
                return NxDomain();
            if (type is not (RecordType.Srv or RecordType.Any))
                return Addresses(question, type, ClusterIPs(service));
            var target = NameOf(ServiceKey.Of(service));
            return new DnsAnswer(ReturnCode.NoError,
                [.. matching.Select(p => new SrvRecord(question, _ttl, 0, 100, (ushort)p.Port, target))],
                [],
                [.. AddressRecords(target, ClusterIPs(service), RecordType.Any)]);
        }

        // Headless: one SRV per ready endpoint, its target the endpoint's own name under the Service.
        var endpoints = ReadyEndpoints(facts)
            .SelectMany(e => e.Ports.Where(p => PortMatches(p.Name, p.Protocol, port) && p.Port is not null).Select(p => (e.Endpoint, Port: p.Port!.Value)))
            .ToList();
        if (endpoints.Count == 0)
            return NxDomain();
        var serviceName = NameOf(ServiceKey.Of(service));
        var targets = endpoints.SelectMany(e => e.Endpoint.Addresses.Select(a => (Name: TargetOf(e.Endpoint, a) + serviceName, Address: a, e.Port)))
            .Where(t => IPAddress.TryParse(t.Address, out _))
            .DistinctBy(t => (t.Name, t.Port))
            .ToList();
        if (type is not (RecordType.Srv or RecordType.Any))
            return Addresses(question, type, [.. targets.Select(t => IPAddress.Parse(t.Address)).Distinct()]);
        var weight = (ushort)Math.Max(1, 100 / targets.Count);
        return new DnsAnswer(ReturnCode.NoError,
            [.. targets.Select(t => new SrvRecord(question, _ttl, 0, weight, (ushort)t.Port, t.Name))],
            [],
            [.. targets.DistinctBy(t => t.Name).SelectMany(t => AddressRecords(t.Name, [IPAddress.Parse(t.Address)], RecordType.Any))]);
    }

    private DnsAnswer Endpoint(DomainName question, RecordType type, EndpointName endpoint, ClusterDnsFacts facts)
    {
        var addresses = ReadyEndpoints(facts)
            .SelectMany(e => e.Endpoint.Addresses.Where(a => string.Equals(e.Endpoint.Hostname, endpoint.Endpoint, StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(a, out var ip) && ClusterNames.Dashed(ip) == endpoint.Endpoint)))
            .Select(IPAddress.Parse)
            .Distinct()
            .ToList();
        return addresses.Count == 0 ? NxDomain() : Addresses(question, type, addresses);
    }

    private static DomainName TargetOf(SliceEndpoint endpoint, string address) =>
        new([string.IsNullOrEmpty(endpoint.Hostname) ? ClusterNames.Dashed(IPAddress.Parse(address)) : endpoint.Hostname]);

    private static bool PortMatches(string? name, string? protocol, ServicePortName asked) =>
        string.Equals(name ?? "", asked.Port, StringComparison.OrdinalIgnoreCase)
        && string.Equals(protocol ?? "TCP", asked.Protocol, StringComparison.OrdinalIgnoreCase);

    /// <summary>A, AAAA or both (ANY) from <paramref name="addresses"/>; NODATA when none is of the asked family or the type is another.</summary>
    private DnsAnswer Addresses(DomainName question, RecordType type, IReadOnlyList<IPAddress> addresses)
    {
        var records = AddressRecords(question, addresses, type).ToList();
        return records.Count == 0 ? NoData() : Records(records);
    }

    private IEnumerable<DnsRecordBase> AddressRecords(DomainName name, IEnumerable<IPAddress> addresses, RecordType type)
    {
        foreach (var address in addresses)
        {
            if (address.AddressFamily == AddressFamily.InterNetwork && type is RecordType.A or RecordType.Any)
                yield return new ARecord(name, _ttl, address);
            else if (address.AddressFamily == AddressFamily.InterNetworkV6 && type is RecordType.Aaaa or RecordType.Any)
                yield return new AaaaRecord(name, _ttl, address);
        }
    }

    private static bool IsHeadless(Service service) => service.Spec.ClusterIP == Service.ClusterIPNone;

    private static IReadOnlyList<IPAddress> ClusterIPs(Service service) =>
        [.. (service.Spec.ClusterIPs is { Count: > 0 } ips ? ips : [service.Spec.ClusterIP ?? ""])
            .Select(ip => IPAddress.TryParse(ip, out var address) ? address : null)
            .OfType<IPAddress>()];

    /// <summary>Endpoints a name may point at: ready ones, or all when the Service publishes not-ready addresses.</summary>
    private static IEnumerable<(SliceEndpoint Endpoint, System.Collections.Immutable.ImmutableList<SlicePort> Ports)> ReadyEndpoints(ClusterDnsFacts facts) =>
        (facts.Endpoints?.All() ?? []).Where(e => facts.Service?.Spec.PublishNotReadyAddresses == true || e.Endpoint.Conditions?.Ready != false);

    private static IReadOnlyList<IPAddress> ReadyAddresses(ClusterDnsFacts facts) =>
        [.. ReadyEndpoints(facts).SelectMany(e => e.Endpoint.Addresses)
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Distinct()];

    private static DnsAnswer Records(IReadOnlyList<DnsRecordBase> answers) => new(ReturnCode.NoError, answers, [], []);

    private DnsAnswer NoData() => new(ReturnCode.NoError, [], [_soa], []);

    private DnsAnswer NxDomain() => new(ReturnCode.NxDomain, [], [_soa], []);
}
