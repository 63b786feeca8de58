using System.Collections.Immutable;
using System.Threading.Channels;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy.Nftables;

/// <summary>
/// The kernel service proxy (kube-proxy's nftables mode): the plan and the endpoints of its Services become one
/// nftables table (<see cref="NftablesRuleset"/>) that NATs the first packet of each connection to an endpoint;
/// conntrack carries the rest, so no byte crosses the agent and open connections survive rule changes. Unlike the
/// relay it needs every planned Service's endpoints before traffic arrives, so it reads them all and keeps them
/// followed. The table outlives the agent: a restart re-renders it only once the endpoints are read again (no gap),
/// and only <see cref="NftablesCleanup"/> removes it.
/// </summary>
public sealed partial class NftablesProxy : IServiceProxy
{
    private readonly IServiceCatalog _catalog;
    private readonly string _nodeName;
    private readonly string _table;
    private readonly bool _guardLocalnet;
    private readonly NftProgram _nft;
    private readonly ILogger<NftablesProxy> _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Task _committer;
    private ProxyPlan _plan = ProxyPlan.Empty;
    private ImmutableDictionary<ServiceKey, ServiceEndpoints> _endpoints = ImmutableDictionary<ServiceKey, ServiceEndpoints>.Empty;
    private ImmutableDictionary<ServiceKey, string> _unknown = ImmutableDictionary<ServiceKey, string>.Empty;
    private ImmutableHashSet<ServiceKey> _reading = [];
    private string? _committed;
    private string? _reportedError;

    public NftablesProxy(IServiceCatalog catalog, string nodeName, string table, bool guardLocalnet, NftProgram nft, ILogger<NftablesProxy> logger)
    {
        (_catalog, _nodeName, _table, _guardLocalnet, _nft, _logger) = (catalog, nodeName, table, guardLocalnet, nft, logger);
        _catalog.EndpointsChanged += OnEndpointsChanged;
        _committer = Task.Run(CommitChangesAsync);
    }

    /// <summary>The table this proxy owns.</summary>
    public string Table => _table;

    /// <summary>
    /// Takes the plan: reads the endpoints of its Services (from memory when followed, which also keeps them
    /// followed) and, once every one is known or failed to be read, replaces the table in one transaction. A listener
    /// whose Service's endpoints cannot be read, or a table nft refuses, is returned as a failure.
    /// </summary>
    public ImmutableArray<ListenerFailure> Apply(ProxyPlan plan)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            _plan = plan;
            var planned = plan.Listeners.Select(l => l.Service).ToImmutableHashSet();
            _endpoints = _endpoints.RemoveRange(_endpoints.Keys.Where(k => !planned.Contains(k)));
            _unknown = _unknown.RemoveRange(_unknown.Keys.Where(k => !planned.Contains(k)));
            foreach (var service in planned)
                Read(service);
            // After a restart the kept table goes on serving until the endpoints are read: never a gap.
            return _reading.IsEmpty ? Commit() : [];
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
                return;
            _catalog.EndpointsChanged -= OnEndpointsChanged;
            _stopping.Cancel();
            _changed.Writer.TryComplete();
        }
        // The table stays: connections and new traffic go on while the agent restarts.
        await _committer;
        _stopping.Dispose();
    }

    private void Read(ServiceKey service)
    {
        if (_reading.Contains(service))
            return;
        ValueTask<ServiceEndpoints> read;
        try
        {
            read = _catalog.GetEndpointsAsync(service, _stopping.Token);
        }
        catch (ServiceCatalogUnavailableException e)
        {
            _unknown = _unknown.SetItem(service, e.Message);
            return;
        }
        if (read.IsCompletedSuccessfully)
        {
            Known(read.Result);
            return;
        }
        _reading = _reading.Add(service);
        _ = ReadLaterAsync(service, read);
    }

    private async Task ReadLaterAsync(ServiceKey service, ValueTask<ServiceEndpoints> read)
    {
        try
        {
            var endpoints = await read;
            lock (_gate)
                Known(endpoints);
        }
        catch (ServiceCatalogUnavailableException e)
        {
            lock (_gate)
                _unknown = _unknown.SetItem(service, e.Message);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            lock (_gate)
                _reading = _reading.Remove(service);
        }
        _changed.Writer.TryWrite(true);
    }

    private void Known(ServiceEndpoints endpoints)
    {
        _endpoints = _endpoints.SetItem(endpoints.Service, endpoints);
        _unknown = _unknown.Remove(endpoints.Service);
    }

    private void OnEndpointsChanged(ServiceEndpoints endpoints)
    {
        lock (_gate)
        {
            if (!_endpoints.ContainsKey(endpoints.Service) && !_unknown.ContainsKey(endpoints.Service))
                return;
            Known(endpoints);
        }
        _changed.Writer.TryWrite(true);
    }

    /// <summary>Endpoint changes and late reads are committed here, off the catalog's thread, coalesced.</summary>
    private async Task CommitChangesAsync()
    {
        try
        {
            while (await _changed.Reader.WaitToReadAsync(_stopping.Token))
            {
                _changed.Reader.TryRead(out _);
                lock (_gate)
                {
                    if (_stopping.IsCancellationRequested || !_reading.IsEmpty)
                        continue;
                    foreach (var failure in Commit())
                        LogNotServed(_logger, failure.Listener.ToString(), failure.Reason);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The agent is stopping.
        }
    }

    /// <summary>Renders the table for what is known and applies it when it differs from what the kernel has. Under the lock.</summary>
    private ImmutableArray<ListenerFailure> Commit()
    {
        var failures = ImmutableArray.CreateBuilder<ListenerFailure>();
        var kernel = new List<KernelListener>();
        foreach (var listener in _plan.Listeners)
        {
            if (_endpoints.TryGetValue(listener.Service, out var endpoints))
                kernel.Add(new KernelListener(listener, ProxyPlanner.Backends(listener, endpoints, _nodeName)));
            else if (_unknown.TryGetValue(listener.Service, out var reason))
                failures.Add(new ListenerFailure(listener, $"{reason}; its rules are left out until they can be read"));
        }
        var script = NftablesRuleset.Render(_table, kernel, _guardLocalnet);
        if (script == _committed)
            return failures.ToImmutable();
        try
        {
            _nft.Apply(script);
            _committed = script;
            _reportedError = null;
            LogCommitted(_logger, _table, kernel.Count, kernel.Count(k => k.Backends.IsEmpty));
            return failures.ToImmutable();
        }
        catch (NftablesException e)
        {
            // The kernel keeps the previous table whole; the next change or resync tries again.
            if (_reportedError != e.Message)
                LogCommitFailed(_logger, _table, e.Message);
            _reportedError = e.Message;
            return [.. _plan.Listeners.Select(l => new ListenerFailure(l, $"nftables refused table {_table}: {e.Message}"))];
        }
    }
}
