using System.Collections.Concurrent;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Networking;

/// <summary>
/// The "internet" of a DNS test: a resolver on a loopback address and a free port that knows the names it is given
/// and answers NXDOMAIN to the rest, recording every question, so the agents' forwarding never leaves the host.
/// </summary>
public sealed class FakeUpstreamDns : IDisposable
{
    private readonly DnsServer _server;
    private readonly IReadOnlyDictionary<DomainName, IPAddress> _names;

    public FakeUpstreamDns(IPAddress address, IReadOnlyDictionary<string, string> names)
    {
        _names = names.ToDictionary(n => DomainName.Parse(n.Key), n => IPAddress.Parse(n.Value));
        Endpoint = new IPEndPoint(address, FreePort.Next());
        _server = new DnsServer(new UdpServerTransport(Endpoint, 5000), new TcpServerTransport(Endpoint, 5000));
        _server.QueryReceived += (_, e) =>
        {
            var query = (DnsMessage)e.Query;
            var response = query.CreateResponseInstance();
            var question = query.Questions[0];
            Questions.Enqueue($"{question.Name} {question.RecordType}");
            if (_names.TryGetValue(question.Name, out var known))
            {
                if (question.RecordType == RecordType.A)
                    response.AnswerRecords.Add(new ARecord(question.Name, 60, known));
            }
            else
            {
                response.ReturnCode = ReturnCode.NxDomain;
            }
            e.Response = response;
            return Task.CompletedTask;
        };
        _server.Start();
    }

    public IPEndPoint Endpoint { get; }

    public ConcurrentQueue<string> Questions { get; } = new();

    public void Dispose() => Granary.NodeAgent.Networking.Dns.DnsServerShutdown.Stop(_server);
}
