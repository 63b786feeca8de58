using System.Collections.Immutable;
using System.Net.Sockets;
using Granary.NodeAgent.Networking.Proxy.Splice;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// The userspace service proxy: a listening socket per planned address, relaying TCP connections and UDP flows to
/// the Service's endpoints (see <see cref="TcpServiceListener"/>, <see cref="UdpServiceListener"/>). It follows the
/// catalog's endpoint changes; a periodic sweep closes idle UDP flows and forgets expired session affinity.
/// </summary>
public sealed partial class SocketProxy : IServiceProxy
{
    private readonly IServiceCatalog _catalog;
    private readonly string _nodeName;
    private readonly ServiceProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SocketProxy> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly ITimer _sweep;
    private readonly ITcpRelay _tcpRelay;
    private ImmutableDictionary<ListenerAddress, IServiceListener> _listeners = ImmutableDictionary<ListenerAddress, IServiceListener>.Empty;

    public SocketProxy(IServiceCatalog catalog, string nodeName, ServiceProxyOptions options, TimeProvider time, ILogger<SocketProxy> logger)
    {
        (_catalog, _nodeName, _options, _time, _logger) = (catalog, nodeName, options, time, logger);
        _tcpRelay = TcpRelay.Choose(SpliceSupport.OfThisHost, logger);
        _catalog.EndpointsChanged += OnEndpointsChanged;
        var sweepPeriod = options.UdpIdleTimeout / 4 is var quarter && quarter > TimeSpan.FromSeconds(1) ? quarter : TimeSpan.FromSeconds(1);
        _sweep = time.CreateTimer(_ => Sweep(), null, sweepPeriod, sweepPeriod);
    }

    /// <summary>The addresses listened on now.</summary>
    public ImmutableArray<ListenerAddress> Listening => [.. _listeners.Keys];

    public ImmutableArray<ListenerFailure> Apply(ProxyPlan plan)
    {
        var failures = ImmutableArray.CreateBuilder<ListenerFailure>();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            var planned = plan.Listeners.ToDictionary(l => l.Address);
            var listeners = _listeners.ToBuilder();
            foreach (var (address, listener) in _listeners)
            {
                if (planned.TryGetValue(address, out var wanted) && wanted.Role == listener.Backends.Listener.Role && wanted.Service == listener.Backends.Listener.Service)
                {
                    listener.Backends.Replace(wanted);
                    continue;
                }
                listener.Close();
                listeners.Remove(address);
                LogClosed(_logger, listener.Backends.Listener.ToString());
            }
            foreach (var wanted in plan.Listeners)
            {
                if (listeners.ContainsKey(wanted.Address))
                    continue;
                try
                {
                    var listener = Open(wanted);
                    listener.Start();
                    listeners[wanted.Address] = listener;
                    LogOpened(_logger, wanted.ToString());
                }
                catch (SocketException e)
                {
                    failures.Add(new ListenerFailure(wanted, $"{e.SocketErrorCode}: {e.Message}"));
                }
            }
            _listeners = listeners.ToImmutable();
        }
        return failures.ToImmutable();
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
                return ValueTask.CompletedTask;
            _catalog.EndpointsChanged -= OnEndpointsChanged;
            _sweep.Dispose();
            // Cancelling stops every accept and receive loop and resets the relayed connections.
            _stopping.Cancel();
            foreach (var listener in _listeners.Values)
                listener.Close();
            _listeners = _listeners.Clear();
            // After the cancel above queued a reset for every relayed connection: this stops the relay's threads.
            _tcpRelay.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private IServiceListener Open(ProxyListener wanted)
    {
        // The listener owns the socket from here on: its Close disposes it.
#pragma warning disable CA2000
        var socket = ListenerSockets.Open(wanted.Address, wanted.Role);
#pragma warning restore CA2000
        try
        {
            var backends = new ServiceBackends(wanted, _catalog, _nodeName, _time);
            return wanted.Address.Protocol == ProxyProtocol.Tcp
                ? new TcpServiceListener(socket, backends, _tcpRelay, _options.ConnectTimeout, _logger, _stopping.Token)
                : new UdpServiceListener(socket, backends, _options.UdpIdleTimeout, _time, _logger, _stopping.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void OnEndpointsChanged(ServiceEndpoints endpoints)
    {
        foreach (var listener in _listeners.Values)
            if (listener.Backends.Listener.Service == endpoints.Service)
                listener.Backends.Update(endpoints);
    }

    private void Sweep()
    {
        foreach (var listener in _listeners.Values)
        {
            (listener as UdpServiceListener)?.ExpireIdleFlows();
            listener.Backends.ExpireAffinity();
        }
    }
}
