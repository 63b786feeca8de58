using System.Collections.Concurrent;
using System.Collections.Immutable;
using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;
using Granary.NodeAgent.ControlPlane;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Granary.Retry;

namespace Granary.NodeAgent.Networking.Services;

/// <summary>
/// The agent's <see cref="IServiceCatalog"/> (kube-proxy's informers, with interest): one list and watch of every
/// Service, and one list and watch of the EndpointSlices of just the Services this node uses, selected by
/// <c>kubernetes.io/service-name in (…)</c>; the selection is re-listed when a Service is first used or let go.
/// Both run over the agent's own control-plane connection and start again, from a list, after it is lost or the
/// watch expired; what is known meanwhile stays in use.
/// </summary>
public sealed partial class ServiceCatalog(IControlPlaneSession link, EndpointInterest interest, TimeProvider time, ILogger<ServiceCatalog> logger,
    ControlPlaneRefusals? refusals = null)
    : BackgroundService, IServiceCatalog
{

    /// <summary>How long a new container waits for the first list of Services while the agent is connected.</summary>
    public static readonly TimeSpan FirstListWait = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<ServiceKey, ServiceEndpoints> _endpoints = new();
    private readonly ConcurrentDictionary<ServiceKey, Lazy<Task<ServiceEndpoints>>> _firstReads = new();
    private volatile ServiceTable _services = ServiceTable.Empty;

    public ServiceTable Services => _services;

    public event Action<ServiceTable>? ServicesChanged;

    public event Action<ServiceEndpoints>? EndpointsChanged;

    /// <summary>
    /// The Services for a new container's environment variables: after the first list (waiting up to
    /// <see cref="FirstListWait"/> for it while connected, as the kubelet will not build them before its first list);
    /// while the control plane is unreachable, what is known, so restarts go on (static stability).
    /// </summary>
    public async Task<ServiceTable> ServicesForEnvironmentAsync(CancellationToken ct)
    {
        if (_services.Synced || link.Connection is null)
            return _services;
        var synced = new TaskCompletionSource<ServiceTable>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(ServiceTable table)
        {
            if (table.Synced)
                synced.TrySetResult(table);
        }
        ServicesChanged += OnChanged;
        try
        {
            return _services.Synced ? _services : await synced.Task.WaitAsync(FirstListWait, time, ct);
        }
        catch (TimeoutException)
        {
            return _services;
        }
        finally
        {
            ServicesChanged -= OnChanged;
        }
    }

    public async ValueTask<ServiceEndpoints> GetEndpointsAsync(ServiceKey service, CancellationToken ct)
    {
        interest.Touch(service);
        if (_endpoints.TryGetValue(service, out var known))
            return known;
        // Concurrent first uses of one Service share one read.
        var read = _firstReads.GetOrAdd(service, key => new Lazy<Task<ServiceEndpoints>>(() => ReadOnceAsync(key)));
        try
        {
            return await read.Value.WaitAsync(ct);
        }
        finally
        {
            if (read.Value.IsCompleted)
                _firstReads.TryRemove(new KeyValuePair<ServiceKey, Lazy<Task<ServiceEndpoints>>>(service, read));
        }
    }

    private async Task<ServiceEndpoints> ReadOnceAsync(ServiceKey service)
    {
        var connection = link.Connection
            ?? throw new ServiceCatalogUnavailableException(service, "the agent is not connected");
        ResourceList<EndpointSlice> list;
        try
        {
            list = await connection.Client.EndpointSlices.ListAsync(
                new ListOptions { Namespace = service.Namespace, LabelSelector = $"{EndpointSlice.ServiceNameLabel}={service.Name}" },
                connection.Lost);
        }
        catch (Exception e) when (e is not ServiceCatalogUnavailableException)
        {
            throw new ServiceCatalogUnavailableException(service, e.Message);
        }
        // The follower may have listed it meanwhile; its copy is at least as new.
        return _endpoints.GetOrAdd(service, new ServiceEndpoints(service, Ordered(list.Items)));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            FollowAsync("services", FollowServicesAsync, stoppingToken),
            FollowAsync("endpoint slices", FollowEndpointsAsync, stoppingToken),
            SweepAsync(stoppingToken));

    /// <summary>Runs one follower until the agent stops: again after every lost connection, expiry or fault.</summary>
    private async Task FollowAsync(string what, Func<ControlPlaneConnection, CancellationToken, Task> follow, CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var connection = await link.WaitForConnectionAsync(ct);
                using var scope = CancellationTokenSource.CreateLinkedTokenSource(ct, connection.Lost);
                await follow(connection, scope.Token);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // The connection was lost or the followed set changed: start over from a list.
            }
            catch (ExpiredException)
            {
                LogExpired(logger, what);
            }
            catch (Exception e)
            {
                // A refusal is logged once by the refusals, with what to fix.
                if (e is not ForbiddenException)
                    LogFollowFailed(logger, what, e.Message);
                if (!await backoff.TryDelayAsync(time, ct))
                    return;
            }
        }
    }

    private async Task FollowServicesAsync(ControlPlaneConnection connection, CancellationToken ct)
    {
        var list = await ListAsync("services", () => connection.Client.Services.ListAsync(null, ct));
        Publish(new ServiceTable(true, list.ResourceVersion, list.Items.ToImmutableDictionary(ServiceKey.Of)));
        await foreach (var change in connection.Client.Services.WatchAsync(new WatchOptions { ResourceVersion = list.ResourceVersion }, ct))
        {
            var table = _services;
            var key = ServiceKey.Of(change.Object);
            var byKey = change.Type == WatchEventType.Deleted ? table.ByKey.Remove(key) : table.ByKey.SetItem(key, change.Object);
            Publish(table with { ResourceVersion = change.Object.Metadata.ResourceVersion ?? table.ResourceVersion, ByKey = byKey });
        }
    }

    /// <summary>A list through the refusals, when the agent has them (tests of the catalog alone do not).</summary>
    private Task<T> ListAsync<T>(string resource, Func<Task<T>> list) =>
        refusals is null ? list() : refusals.CallAsync(AgentCall.WatchServices, resource, list);

    private void Publish(ServiceTable table)
    {
        _services = table;
        ServicesChanged?.Invoke(table);
    }

    /// <summary>Lists and watches the slices of the followed Services until the set changes (cancelling the watch).</summary>
    private async Task FollowEndpointsAsync(ControlPlaneConnection connection, CancellationToken ct)
    {
        var changed = interest.ChangedToken;
        var followed = interest.Followed;
        if (followed.IsEmpty)
        {
            await interest.WaitForChangeAsync(ct);
            return;
        }
        using var scope = CancellationTokenSource.CreateLinkedTokenSource(ct, changed);
        var keys = followed.ToImmutableHashSet();
        var selector = $"{EndpointSlice.ServiceNameLabel} in ({string.Join(",", keys.Select(k => k.Name).Distinct().Order(StringComparer.Ordinal))})";
        var list = await ListAsync("endpointslices", () => connection.Client.EndpointSlices.ListAsync(new ListOptions { LabelSelector = selector }, scope.Token));
        var listed = list.Items.Where(s => KeyOf(s) is { } k && keys.Contains(k)).ToLookup(s => KeyOf(s)!.Value);
        foreach (var key in keys)
            Replace(new ServiceEndpoints(key, Ordered(listed[key])));
        await foreach (var change in connection.Client.EndpointSlices.WatchAsync(new WatchOptions { LabelSelector = selector, ResourceVersion = list.ResourceVersion }, scope.Token))
        {
            // The selector matches by name in every namespace; only the followed Services count.
            if (KeyOf(change.Object) is not { } key || !keys.Contains(key) || !_endpoints.TryGetValue(key, out var current))
                continue;
            var others = current.Slices.Where(s => s.Metadata.Name != change.Object.Metadata.Name);
            Replace(new ServiceEndpoints(key, Ordered(change.Type == WatchEventType.Deleted ? others : others.Append(change.Object))));
        }
    }

    private void Replace(ServiceEndpoints endpoints)
    {
        var previous = _endpoints.GetValueOrDefault(endpoints.Service);
        _endpoints[endpoints.Service] = endpoints;
        if (previous is null || !SameSlices(previous, endpoints))
            EndpointsChanged?.Invoke(endpoints);
    }

    /// <summary>Lets go of Services no longer used, now and then.</summary>
    private async Task SweepAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(interest.IdleAfter.Ticks / 4, TimeSpan.FromSeconds(1).Ticks)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                foreach (var key in interest.Sweep())
                    _endpoints.TryRemove(key, out _);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static ServiceKey? KeyOf(EndpointSlice slice) =>
        slice.Metadata.Labels?.GetValueOrDefault(EndpointSlice.ServiceNameLabel) is { Length: > 0 } name
            ? new ServiceKey(slice.Metadata.Namespace ?? "default", name)
            : null;

    private static ImmutableArray<EndpointSlice> Ordered(IEnumerable<EndpointSlice> slices) =>
        [.. slices.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal)];

    private static bool SameSlices(ServiceEndpoints a, ServiceEndpoints b) =>
        a.Slices.Length == b.Slices.Length
        && a.Slices.Zip(b.Slices).All(p => p.First.Metadata.Name == p.Second.Metadata.Name && p.First.Metadata.ResourceVersion == p.Second.Metadata.ResourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "The watch of {What} expired; listing again")]
    private static partial void LogExpired(ILogger logger, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Following {What} failed ({Reason}); retrying, what is known stays in use")]
    private static partial void LogFollowFailed(ILogger logger, string what, string reason);
}
