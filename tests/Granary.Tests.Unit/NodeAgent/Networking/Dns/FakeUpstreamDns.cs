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
        var known = DomainName.Parse(name);
        // A free UDP port is not always free for TCP too (another test's connection may hold it): try a few.
        for (var attempt = 1; ; attempt++)
        {
            using (var probe = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
                Endpoint = (IPEndPoint)probe.Client.LocalEndPoint!;
            var server = new DnsServer(new UdpServerTransport(Endpoint, 5000), new TcpServerTransport(Endpoint, 5000));
            server.QueryReceived += (_, e) => Answer(e, known, address);
            try
            {
                server.Start();
                _server = server;
                return;
            }
            catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse && attempt < 10)
            {
                Granary.NodeAgent.Networking.Dns.DnsServerShutdown.Stop(server);
            }
        }
    }

    private Task Answer(QueryReceivedEventArgs e, DomainName known, IPAddress address)
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
    }

    public IPEndPoint Endpoint { get; private set; }

    public int Questions { get; private set; }

    public void Dispose() => Granary.NodeAgent.Networking.Dns.DnsServerShutdown.Stop(_server);
}
