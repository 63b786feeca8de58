using System.Net;
using ARSoft.Tools.Net.Dns;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// Asks the upstream resolvers, in order, for names outside the cluster domain (UDP, TCP when truncated). Each is
/// given <see cref="PerUpstream"/> and all together <see cref="Overall"/>, below a stub resolver's own 5 s, so a
/// client always hears back: the upstream's answer, or SERVFAIL (null here) when none answered.
/// </summary>
public sealed class UpstreamForwarder
{
    public static readonly TimeSpan PerUpstream = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Overall = TimeSpan.FromSeconds(4);

    private readonly DnsClient[] _clients;

    public UpstreamForwarder(IReadOnlyList<IPEndPoint> upstreams)
    {
        Upstreams = upstreams;
        _clients = [.. upstreams.Select(u => new DnsClient([u.Address], [new UdpClientTransport(u.Port), new TcpClientTransport(u.Port)], false, (int)PerUpstream.TotalMilliseconds))];
    }

    public IReadOnlyList<IPEndPoint> Upstreams { get; }

    /// <summary>The first upstream's answer that is not SERVFAIL or REFUSED; null when none gave one in time.</summary>
    public async Task<DnsMessage?> ForwardAsync(DnsQuestion question, bool recursionDesired, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Overall);
        foreach (var client in _clients)
        {
            var query = new DnsMessage { IsRecursionDesired = recursionDesired };
            query.Questions.Add(question);
            try
            {
                var response = await client.SendMessageAsync(query, deadline.Token);
                if (response is not null && response.ReturnCode is not (ReturnCode.ServerFailure or ReturnCode.Refused))
                    return response;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                // This upstream is unreachable: the next one is asked.
            }
        }
        return null;
    }
}
