using System.Buffers;
using System.Collections.Immutable;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// Carries UDP for one service address as flows: the first datagram of a client picks an endpoint and opens a socket
/// connected to it; later datagrams of that client use the same socket, and the endpoint's replies are sent back to
/// the client from the service address. A flow idle for the idle timeout is closed (as conntrack forgets one).
/// Without a usable endpoint a datagram is dropped: UDP has no refusal to give.
/// </summary>
internal sealed partial class UdpServiceListener(
    Socket socket, ServiceBackends backends, TimeSpan idleTimeout, TimeProvider time, ILogger logger, CancellationToken stopping) : IServiceListener
{
    private const int DatagramSize = 64 * 1024;
    private readonly CancellationTokenSource _closed = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private readonly ConcurrentDictionary<IPEndPoint, UdpFlow> _flows = new();

    public ServiceBackends Backends => backends;

    public int FlowCount => _flows.Count;

    public void Start() => _ = ReceiveLoopAsync();

    /// <summary>Stops receiving for new clients; open flows still carry replies until they go idle or the proxy stops.</summary>
    public void Close()
    {
        _closed.Cancel();
        socket.Dispose();
        foreach (var flow in _flows.Values)
            flow.Dispose();
        _flows.Clear();
    }

    /// <summary>Closes the flows idle for longer than the idle timeout (called periodically by the proxy).</summary>
    public void ExpireIdleFlows()
    {
        var now = time.GetTimestamp();
        foreach (var (client, flow) in _flows)
            if (time.GetElapsedTime(flow.LastActive, now) > idleTimeout && _flows.TryRemove(new KeyValuePair<IPEndPoint, UdpFlow>(client, flow)))
                flow.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(DatagramSize);
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, any, _closed.Token);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
                {
                    // An ICMP error about an earlier datagram; it concerns one client, not the listener.
                    continue;
                }
                var client = (IPEndPoint)received.RemoteEndPoint;
                if (!_flows.TryGetValue(client, out var flow))
                {
                    flow = await OpenFlowAsync(client);
                    if (flow is null)
                        continue;
                }
                await flow.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), _closed.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _closed.IsCancellationRequested)
        {
            // Closed: the listener is no longer planned, or the proxy is stopping.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<UdpFlow?> OpenFlowAsync(IPEndPoint client)
    {
        ImmutableArray<IPEndPoint> candidates;
        try
        {
            candidates = await backends.CandidatesAsync(client.Address, _closed.Token);
        }
        catch (ServiceCatalogUnavailableException e)
        {
            LogCatalogUnavailable(logger, backends.Listener.ToString(), e.Message);
            return null;
        }
        if (candidates.IsEmpty)
        {
            LogNoEndpoints(logger, backends.Listener.ToString(), client.ToString());
            return null;
        }
        var backend = candidates[0];
        var flow = new UdpFlow(client, backend, time);
        backends.Used(client.Address, backend);
        _flows[client] = flow;
        _ = RelayRepliesAsync(flow);
        return flow;
    }

    /// <summary>Sends the endpoint's datagrams back to the client, from the service address, until the flow closes.</summary>
    private async Task RelayRepliesAsync(UdpFlow flow)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(DatagramSize);
        try
        {
            while (true)
            {
                var read = await flow.ReceiveAsync(buffer, _closed.Token);
                await socket.SendToAsync(buffer.AsMemory(0, read), SocketFlags.None, flow.Client, _closed.Token);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            // Nothing listens on the endpoint (ICMP port unreachable): the next datagram of the client opens a new flow.
            LogEndpointRefused(logger, backends.Listener.ToString(), flow.Backend.ToString());
            if (_flows.TryRemove(new KeyValuePair<IPEndPoint, UdpFlow>(flow.Client, flow)))
                flow.Dispose();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The flow went idle, or the listener or the proxy closed.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
