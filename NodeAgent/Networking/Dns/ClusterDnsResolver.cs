using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Granary.Model;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// Turns a query into a response: names in the cluster domain from the service catalog (through
/// <see cref="ClusterDnsAnswers"/>), PTR of cluster IPs likewise, every other name from the upstreams. What the
/// catalog cannot tell yet (before its first list, or endpoints it cannot read) is SERVFAIL, never a cached NXDOMAIN.
/// </summary>
public sealed partial class ClusterDnsResolver(IServiceCatalog catalog, ClusterDnsAnswers answers, UpstreamForwarder upstream, ILogger<ClusterDnsResolver> logger)
{
    // An ExternalName may point at another ExternalName; CoreDNS follows a few, so do we.
    private const int MaxCnameChain = 4;

    public IReadOnlyList<IPEndPoint> Upstreams => upstream.Upstreams;

    private (ServiceTable Table, IReadOnlyDictionary<IPAddress, Service> ByIp)? _reverse;

    public async Task<DnsMessage> RespondAsync(DnsMessage query, CancellationToken ct)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            return response;
        }
        if (query.Questions.Count != 1 || query.Questions[0].RecordClass is not (RecordClass.INet or RecordClass.Any))
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }
        var question = query.Questions[0];
        var (answer, authoritative) = await AnswerAsync(question.Name, question.RecordType, query.IsRecursionDesired, 0, ct);
        response.ReturnCode = answer.Code;
        response.IsAuthoritiveAnswer = authoritative;
        response.AnswerRecords.AddRange(answer.Answers);
        response.AuthorityRecords.AddRange(answer.Authority);
        response.AdditionalRecords.AddRange(answer.Additional);
        return response;
    }

    private async Task<(DnsAnswer Answer, bool Authoritative)> AnswerAsync(DomainName name, RecordType type, bool recursionDesired, int depth, CancellationToken ct)
    {
        var parsed = ClusterNames.Parse(name, answers.Zone);
        if (parsed is null)
        {
            if (type == RecordType.Ptr && ClusterDnsAnswers.ReverseAddress(name) is { } address && answers.Reverse(name, ServiceAt(address)) is { } reverse)
                return (reverse, true);
            return (await ForwardAsync(name, type, recursionDesired, ct), false);
        }

        var table = catalog.Services;
        if (!table.Synced)
            return (DnsAnswer.ServerFailure, false);
        ClusterDnsFacts facts;
        try
        {
            facts = await FactsAsync(parsed, table, ct);
        }
        catch (ServiceCatalogUnavailableException ex)
        {
            LogEndpointsUnknown(logger, name.ToString(), ex.Message);
            return (DnsAnswer.ServerFailure, false);
        }
        var answer = answers.Answer(name, type, parsed, facts);
        if (answer.CnameTarget is { } target && depth < MaxCnameChain)
        {
            var (chased, _) = await AnswerAsync(target, type, recursionDesired, depth + 1, ct);
            if (chased.Code == ReturnCode.NoError)
                answer = answer with { Answers = [.. answer.Answers, .. chased.Answers] };
        }
        return (answer, true);
    }

    private async Task<ClusterDnsFacts> FactsAsync(ClusterName name, ServiceTable table, CancellationToken ct)
    {
        var key = name switch
        {
            ServiceName s => new ServiceKey(s.Namespace, s.Service),
            ServicePortName p => new ServiceKey(p.Namespace, p.Service),
            EndpointName e => new ServiceKey(e.Namespace, e.Service),
            _ => (ServiceKey?)null,
        };
        if (name is NamespaceName ns)
            return ClusterDnsFacts.None with { NamespaceHasServices = table.ByKey.Keys.Any(k => k.Namespace == ns.Namespace) };
        if (key is null || table.Find(key.Value) is not { } service)
            return ClusterDnsFacts.None;
        var endpoints = ClusterDnsAnswers.NeedsEndpoints(name, service) ? await catalog.GetEndpointsAsync(key.Value, ct) : null;
        return new ClusterDnsFacts(service, endpoints, true);
    }

    private async Task<DnsAnswer> ForwardAsync(DomainName name, RecordType type, bool recursionDesired, CancellationToken ct)
    {
        var response = await upstream.ForwardAsync(new DnsQuestion(name, type, RecordClass.INet), recursionDesired, ct);
        if (response is null)
        {
            LogUpstreamsFailed(logger, name.ToString(), type.ToString(), string.Join(",", upstream.Upstreams));
            return DnsAnswer.ServerFailure;
        }
        return new DnsAnswer(response.ReturnCode, response.AnswerRecords, response.AuthorityRecords,
            [.. response.AdditionalRecords.Where(r => r is not OptRecord)]);
    }

    /// <summary>The Service whose cluster IP is <paramref name="address"/>, from an index rebuilt when the table changes.</summary>
    private Service? ServiceAt(IPAddress address)
    {
        var table = catalog.Services;
        var reverse = _reverse;
        if (reverse is null || !ReferenceEquals(reverse.Value.Table, table))
        {
            var byIp = new Dictionary<IPAddress, Service>();
            foreach (var service in table.ByKey.Values)
                foreach (var ip in service.Spec.ClusterIPs is { Count: > 0 } ips ? ips : [service.Spec.ClusterIP ?? ""])
                    if (IPAddress.TryParse(ip, out var parsed))
                        byIp.TryAdd(parsed, service);
            reverse = (table, byIp);
            _reverse = reverse;
        }
        return reverse.Value.ByIp.GetValueOrDefault(address);
    }
}
