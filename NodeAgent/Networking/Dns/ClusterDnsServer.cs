using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Granary.NodeAgent.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// The node's cluster DNS server: UDP and TCP on the node address (port --dns-port, 53), answering through
/// <see cref="ClusterDnsResolver"/>. It starts before the pod loop so the first pods already get it as nameserver;
/// when the port cannot be bound the agent runs on without it (pods get the host's resolv.conf, as the kubelet does
/// without clusterDNS) and says what to do.
/// </summary>
public sealed partial class ClusterDnsServer(
    ClusterDnsResolver resolver,
    ClusterDnsStatus status,
    IOptions<AgentSettings> settings,
    ILogger<ClusterDnsServer> logger) : IHostedService, IDisposable
{
    /// <summary>Port pods can use: resolv.conf names servers without a port.</summary>
    public const int StandardPort = 53;

    // How long the server waits for a TCP client's query (ARSoft's default is longer; a slow client holds a socket).
    private const int TransportTimeoutMs = 5000;

    /// <summary>Free ports tried with port 0 before giving up (another program can take the TCP side of one).</summary>
    private const int FreePortAttempts = 5;

    private readonly CancellationTokenSource _stopping = new();
    private DnsServer? _server;

    /// <summary>Where it answers, once started (the bound port when --dns-port is 0).</summary>
    public IPEndPoint? Endpoint { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(settings.Value.NodeIp);
        var port = settings.Value.DnsPort;
        // Port 0 (tests, benchmarks): take a free UDP port and ask for the same one over TCP, where another program
        // may hold it already; then try another free port, a few times.
        var attempts = port == 0 ? FreePortAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (settings.Value.DnsPort == 0)
                    port = FreeUdpPort(address);
                Listen(new IPEndPoint(address, port));
                break;
            }
            catch (SocketException) when (attempt < attempts)
            {
            }
            catch (SocketException ex)
            {
                var reason = $"cannot listen on {address}:{port} ({ex.SocketErrorCode}: {ex.Message})";
                LogCannotBind(logger, reason, port);
                status.Unusable($"the node's cluster DNS server {reason}");
                return Task.CompletedTask;
            }
        }

        LogServing(logger, Endpoint!.ToString(), settings.Value.ClusterDomain, string.Join(",", resolver.Upstreams.Select(u => u.ToString())));
        if (port == StandardPort)
            status.Serving(address.ToString());
        else
            status.Unusable($"the node's cluster DNS server listens on port {port}, and a pod's resolv.conf can only name port {StandardPort} (--dns-port)");
        return Task.CompletedTask;
    }

    private void Listen(IPEndPoint endpoint)
    {
        var server = new DnsServer(new UdpServerTransport(endpoint, TransportTimeoutMs), new TcpServerTransport(endpoint, TransportTimeoutMs));
        server.QueryReceived += OnQueryAsync;
        server.ExceptionThrown += OnExceptionAsync;
        try
        {
            server.Start();
        }
        catch (SocketException)
        {
            DnsServerShutdown.Stop(server);
            throw;
        }
        _server = server;
        Endpoint = endpoint;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        if (_server is not null)
            DnsServerShutdown.Stop(_server);
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping.Dispose();

    private async Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is DnsMessage query)
            e.Response = await resolver.RespondAsync(query, _stopping.Token);
    }

    private Task OnExceptionAsync(object sender, ExceptionEventArgs e)
    {
        LogQueryFailed(logger, e.Exception);
        return Task.CompletedTask;
    }

    private static int FreeUdpPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
