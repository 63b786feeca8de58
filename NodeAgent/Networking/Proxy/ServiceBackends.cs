using System.Collections.Immutable;
using System.Net;
using Granary.NodeAgent.Networking.Services;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// The endpoints one listener sends to, and the choice among them: round robin, or the client's remembered endpoint
/// under sessionAffinity ClientIP. The endpoints are read from the catalog on the first connection and whenever
/// the catalog's answer changes; every connection asks the catalog (from memory once it follows the Service), which
/// also keeps the Service followed while it is in use.
/// </summary>
internal sealed class ServiceBackends(ProxyListener listener, IServiceCatalog catalog, string nodeName, TimeProvider time)
{
    private readonly object _gate = new();
    private readonly AffinityTable _affinity = new(time);
    private volatile ProxyListener _listener = listener;
    private volatile Snapshot _current = new(null, []);
    private int _next = -1;

    public ProxyListener Listener => _listener;

    /// <summary>Takes a new plan's listener for the same address (its service port, policies or affinity may differ).</summary>
    public void Replace(ProxyListener updated)
    {
        if (updated == _listener)
            return;
        lock (_gate)
        {
            _listener = updated;
            _current = _current.Source is { } source ? new Snapshot(source, ProxyPlanner.Backends(updated, source, nodeName)) : new Snapshot(null, []);
        }
    }

    /// <summary>Follows a change the catalog announced; new connections use it, open ones keep theirs.</summary>
    public void Update(ServiceEndpoints endpoints)
    {
        if (endpoints.Service != _listener.Service)
            return;
        lock (_gate)
            _current = new Snapshot(endpoints, ProxyPlanner.Backends(_listener, endpoints, nodeName));
    }

    /// <summary>
    /// The endpoints to try for a connection from <paramref name="client"/>, best first: the remembered one under
    /// affinity, then the others in round-robin order. Empty when the service has no usable endpoint.
    /// </summary>
    public async ValueTask<ImmutableArray<IPEndPoint>> CandidatesAsync(IPAddress client, CancellationToken ct)
    {
        var endpoints = await catalog.GetEndpointsAsync(_listener.Service, ct);
        var current = _current;
        if (!ReferenceEquals(current.Source, endpoints))
        {
            Update(endpoints);
            current = _current;
        }
        var backends = current.Backends;
        if (backends.IsEmpty)
            return backends;

        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)backends.Length);
        var builder = ImmutableArray.CreateBuilder<IPEndPoint>(backends.Length);
        if (_listener.AffinityTimeout is { } timeout && _affinity.Find(client, timeout) is { } sticky && backends.Contains(sticky))
            builder.Add(sticky);
        for (var i = 0; i < backends.Length; i++)
        {
            var backend = backends[(start + i) % backends.Length];
            if (builder.Count == 0 || !builder[0].Equals(backend))
                builder.Add(backend);
        }
        return builder.MoveToImmutable();
    }

    /// <summary>Records the endpoint a client's connection reached, for sessionAffinity ClientIP.</summary>
    public void Used(IPAddress client, IPEndPoint backend)
    {
        if (_listener.AffinityTimeout is not null)
            _affinity.Remember(client, backend);
    }

    public void ExpireAffinity()
    {
        if (_listener.AffinityTimeout is { } timeout)
            _affinity.Expire(timeout);
    }

    private sealed record Snapshot(ServiceEndpoints? Source, ImmutableArray<IPEndPoint> Backends);
}
