using System.Net;
using System.Net.Sockets;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// Accepts TCP connections on one service address and relays each to an endpoint. An endpoint that refuses (or does
/// not answer within the connect timeout) is skipped for the next; when none is left the client is reset at once.
/// Closing the listener stops accepting; connections already relayed go on until the proxy stops.
/// </summary>
internal sealed partial class TcpServiceListener(
    Socket socket, ServiceBackends backends, ITcpRelay relay, TimeSpan connectTimeout, ILogger logger, CancellationToken stopping) : IServiceListener
{
    private readonly CancellationTokenSource _closed = CancellationTokenSource.CreateLinkedTokenSource(stopping);

    public ServiceBackends Backends => backends;

    public void Start() => _ = AcceptLoopAsync();

    public void Close()
    {
        _closed.Cancel();
        socket.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_closed.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(_closed.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _closed.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A client that gave up while queued (ECONNABORTED) and the like: the listener goes on.
                LogAcceptFailed(logger, backends.Listener.ToString(), e.SocketErrorCode);
                continue;
            }
            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var listener = backends.Listener;
        try
        {
            client.NoDelay = true;
            var from = ((IPEndPoint)client.RemoteEndPoint!).Address;
            var candidates = await backends.CandidatesAsync(from, stopping);
            foreach (var candidate in candidates)
            {
                var backend = await ConnectAsync(candidate);
                if (backend is null)
                    continue;
                backends.Used(from, candidate);
                await relay.RunAsync(client, backend, stopping);
                return;
            }
            if (candidates.IsEmpty)
                LogNoEndpoints(logger, listener.ToString());
            else
                LogAllRefused(logger, listener.ToString(), candidates.Length);
            TcpRelay.Reset(client);
        }
        catch (ServiceCatalogUnavailableException e)
        {
            LogCatalogUnavailable(logger, listener.ToString(), e.Message);
            TcpRelay.Reset(client);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The proxy is stopping or the client left before an endpoint was reached.
            TcpRelay.Reset(client);
        }
    }

    private async Task<Socket?> ConnectAsync(IPEndPoint endpoint)
    {
        var backend = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(connectTimeout);
        try
        {
            await backend.ConnectAsync(endpoint, deadline.Token);
            return backend;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            LogEndpointRefused(logger, backends.Listener.ToString(), endpoint.ToString(), e is SocketException s ? s.SocketErrorCode.ToString() : "connect timed out");
            backend.Dispose();
            return null;
        }
    }
}
