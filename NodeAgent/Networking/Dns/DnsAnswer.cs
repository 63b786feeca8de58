using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// What the cluster DNS answers to one question: the return code and the records of each section.
/// </summary>
/// <param name="CnameTarget">The target of an ExternalName's CNAME, which the server then looks up for the asked type (as CoreDNS does), so a client gets the addresses in one answer.</param>
public sealed record DnsAnswer(
    ReturnCode Code,
    IReadOnlyList<DnsRecordBase> Answers,
    IReadOnlyList<DnsRecordBase> Authority,
    IReadOnlyList<DnsRecordBase> Additional,
    DomainName? CnameTarget = null)
{
    public static DnsAnswer ServerFailure { get; } = new(ReturnCode.ServerFailure, [], [], []);
}

/// <summary>What the answerer needs to know about the Service a question names, gathered beforehand by the resolver.</summary>
/// <param name="Service">The Service the name points at, null when there is none.</param>
/// <param name="Endpoints">Its endpoints, when the answer needs them (headless Services, endpoint names); else null.</param>
/// <param name="NamespaceHasServices">Whether the question's namespace has any Service (for <c>NS.svc.DOMAIN</c>).</param>
public sealed record ClusterDnsFacts(Model.Service? Service, Services.ServiceEndpoints? Endpoints, bool NamespaceHasServices)
{
    public static ClusterDnsFacts None { get; } = new(null, null, false);
}
