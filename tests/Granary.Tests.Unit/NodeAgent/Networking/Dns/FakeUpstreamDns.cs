using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Granary.Tests.Unit.NodeAgent.Networking.Dns;

/// <summary>An upstream resolver on loopback that knows one name, counting the questions it gets.</summary>
internal sealed class FakeUpstreamDns : IDisposable
{
    private readonly DnsServer _server;

    public FakeUpstreamDns(string name, IPAddress address)
    {
        using var probe = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Endpoint = (IPEndPoint)probe.Client.LocalEndPoint!;
        probe.Close();
        var known = DomainName.Parse(name);
        _server = new DnsServer(new UdpServerTransport(Endpoint, 5000), new TcpServerTransport(Endpoint, 5000));
        _server.QueryReceived += (_, e) =>
        {
            var query = (DnsMessage)e.Query;
            var response = query.CreateResponseInstance();
            Questions++;
            var question = query.Questions[0];
            if (question.Name.Equals(known, false) && question.RecordType == RecordType.A)
                response.AnswerRecords.Add(new ARecord(question.Name, 60, address));
            else
                response.ReturnCode = ReturnCode.NxDomain;
            e.Response = response;
            return Task.CompletedTask;
        };
        _server.Start();
    }

    public IPEndPoint Endpoint { get; }

    public int Questions { get; private set; }

    public void Dispose() => Granary.NodeAgent.Networking.Dns.DnsServerShutdown.Stop(_server);
}
