using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Granary.Selectors;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Services;

/// <summary>
/// Owns one service (key "namespace/name"). Its cluster IP and node ports are claimed from the cluster's allocator
/// before the service is stored and given back when a write fails or the service goes. For a service with a
/// selector it is also the endpoints controller of that service, level-triggered: a change of the service, a hint
/// from a matching pod, a timer while active and a reminder that survives failover all run the same reconcile,
/// which re-reads the pods and makes <c>Endpoints/&lt;name&gt;</c> what <see cref="EndpointsPlanner"/> says.
/// </summary>
public sealed partial class ServiceGrain(IObjectStore store, TimeProvider time, ILogger<ServiceGrain> logger, WatchCache cache)
    : ResourceGrain<Service>(store, time, logger), IServiceGrain, IRemindable
{
    private const string ResyncReminder = "endpoints-resync";
    private static readonly TimeSpan ResyncPeriod = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HintDelay = TimeSpan.FromMilliseconds(20);
    private IGrainTimer? _resync;

    private IServiceAddressAllocatorGrain Allocator => GrainFactory.GetGrain<IServiceAddressAllocatorGrain>(IServiceAddressAllocatorGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        if (HasSelector(Current))
            ScheduleReconcile(ResyncPeriod);
    }

    protected override ImmutableList<FieldError> Validate(Service resource) => ServiceValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(Service old, Service updated) => ServiceValidation.ValidateUpdate(old, updated);

    protected override Service ApplyDefaults(Service resource) => ServiceDefaults.Apply(resource);

    // A service's status is its load balancer's; none exists yet, so it starts empty, as in Kubernetes.
    protected override Service PrepareCreate(Service resource) => resource with { Status = new ServiceStatus { LoadBalancer = new LoadBalancerStatus() } };

    protected override Service WithSpec(Service existing, Service desired) => existing with { Spec = KeepAllocated(existing.Spec, desired.Spec) };

    protected override Service WithStatus(Service existing, Service desired) => existing with { Status = desired.Status };

    protected override async Task<Service> ReserveAsync(Service? existing, Service resource)
    {
        var request = RequestFor(resource);
        if (existing is not null && Covers(AddressesOf(existing.Spec), request))
            return resource;
        if (request.ClusterIP is null && request.NodePorts.All(p => p is null))
            return resource;
        var granted = await Allocator.AllocateAsync(request);
        var ports = resource.Spec.Ports?.Select((p, i) => granted.NodePorts[i] is { } n ? p with { NodePort = n } : p).ToImmutableList();
        var ip = granted.ClusterIP ?? resource.Spec.ClusterIP;
        return resource with
        {
            Spec = resource.Spec with
            {
                ClusterIP = ip,
                ClusterIPs = granted.ClusterIP is null ? resource.Spec.ClusterIPs : [granted.ClusterIP],
                Ports = ports,
            },
        };
    }

    protected override Task UnreserveAsync(Service? existing, Service attempted) =>
        Allocator.RetainAsync(Key, attempted.Metadata.Uid!, existing is null ? ServiceAddresses.None : AddressesOf(existing.Spec));

    protected override async Task AfterWriteAsync(Service? before, Service? after)
    {
        if (after is null)
        {
            await Allocator.RetainAsync(Key, before!.Metadata.Uid!, ServiceAddresses.None);
            await DeleteEndpointsAsync();
            await DeleteSlicesAsync(keep: []);
            await StopResyncAsync();
            return;
        }
        if (before is not null && !SameAddresses(AddressesOf(before.Spec), AddressesOf(after.Spec)))
            await Allocator.RetainAsync(Key, after.Metadata.Uid!, AddressesOf(after.Spec));
        if (HasSelector(after))
        {
            if (!HasSelector(before))
                await this.RegisterOrUpdateReminder(ResyncReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            ScheduleReconcile(TimeSpan.Zero);
        }
        else
            await MirrorAsync();
    }

    public async Task EndpointsChangedAsync()
    {
        if (Current is not null && !HasSelector(Current))
            await MirrorAsync();
    }

    /// <summary>A service without a selector: its hand-written Endpoints mirrored as EndpointSlices (kube's mirroring controller).</summary>
    private async Task MirrorAsync()
    {
        if (Current is not { } service || service.Metadata.DeletionTimestamp is not null)
            return;
        try
        {
            var endpoints = (await cache.ConsistentAsync(ResourceKinds.Endpoints)).Get(Key) as Endpoints;
            await ApplySlicesAsync(EndpointSliceMirrorPlanner.Plan(service, endpoints));
        }
        catch (GranaryException e)
        {
            LogReconcileFailed(Logger, Key, e.Message);
        }
    }

    public Task PodsChangedAsync()
    {
        if (HasSelector(Current))
            ScheduleReconcile(HintDelay);
        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Current is null)
        {
            await StopResyncAsync();
            return;
        }
        await ReconcileAsync(CancellationToken.None);
    }

    /// <summary>Runs the reconcile after <paramref name="delay"/>, then every <see cref="ResyncPeriod"/>; many hints coalesce into one run.</summary>
    private void ScheduleReconcile(TimeSpan delay)
    {
        if (_resync is null)
            _resync = this.RegisterGrainTimer(ReconcileAsync, new GrainTimerCreationOptions(delay, ResyncPeriod) { Interleave = false });
        else
            _resync.Change(delay, ResyncPeriod);
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (Current is not { } service || !HasSelector(service) || service.Metadata.DeletionTimestamp is not null)
            return;
        try
        {
            var selector = LabelSelector.FromLabels(service.Spec.Selector!);
            var (_, items) = (await cache.ConsistentAsync(ResourceKinds.Pod)).Snapshot(new ObjectFilter(NamespaceName, selector, FieldSelector.Everything));
            var pods = items.Select(i => (Pod)i.Value).ToList();
            var result = await GrainFactory.GetGrain<IEndpointsGrain>(Key).ApplyAsync(EndpointsPlanner.Plan(service, pods));
            if (result.Outcome != ApplyOutcome.Unchanged)
                LogEndpoints(Logger, Key, Addresses(result.Object, ready: true), Addresses(result.Object, ready: false));
            await ApplySlicesAsync(EndpointSlicePlanner.Plan(service, pods));
        }
        catch (GranaryException e)
        {
            // Retried by the next resync; the namespace may be going away, or the store briefly unavailable.
            LogReconcileFailed(Logger, Key, e.Message);
        }
    }

    /// <summary>Writes the planned slices and deletes the ones this service's controllers wrote before and no longer plan.</summary>
    private async Task ApplySlicesAsync(ImmutableList<EndpointSlice> slices)
    {
        foreach (var slice in slices)
            await GrainFactory.GetGrain<IEndpointSliceGrain>($"{NamespaceName}/{slice.Metadata.Name}").ApplyAsync(slice);
        await DeleteSlicesAsync(keep: [.. slices.Select(s => s.Metadata.Name!)]);
    }

    private async Task DeleteEndpointsAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IEndpointsGrain>(Key).DeleteAsync(DeleteOptions.Default);
        }
        catch (NotFoundException)
        {
            // Never created, or already deleted with the namespace: what we wanted.
        }
    }

    /// <summary>
    /// Deletes the slices this service's controllers wrote (by the service-name and managed-by labels) except
    /// <paramref name="keep"/>; slices a user wrote for a service without a selector are the user's.
    /// </summary>
    private async Task DeleteSlicesAsync(ImmutableHashSet<string> keep)
    {
        var ofService = LabelSelector.FromLabels(new Dictionary<string, string> { [EndpointSlice.ServiceNameLabel] = Name });
        var (_, slices) = (await cache.ConsistentAsync(ResourceKinds.EndpointSlice)).Snapshot(new ObjectFilter(NamespaceName, ofService, FieldSelector.Everything));
        foreach (var (key, slice) in slices)
        {
            if (keep.Contains(slice.Metadata.Name!)
                || ((EndpointSlice)slice).Metadata.Labels?.GetValueOrDefault(EndpointSlice.ManagedByLabel) is not (EndpointSlicePlanner.ManagedBy or EndpointSliceMirrorPlanner.ManagedBy))
                continue;
            try
            {
                await GrainFactory.GetGrain<IEndpointSliceGrain>(key).DeleteAsync(DeleteOptions.Default);
            }
            catch (NotFoundException)
            {
                // Gone already: what we wanted.
            }
        }
    }

    private async Task StopResyncAsync()
    {
        _resync?.Dispose();
        _resync = null;
        if (await this.GetReminder(ResyncReminder) is { } reminder)
            await this.UnregisterReminder(reminder);
    }

    private ServiceAddressRequest RequestFor(Service service) => new()
    {
        Owner = Key,
        Uid = service.Metadata.Uid!,
        ClusterIP = ServiceDefaults.NeedsClusterIP(service.Spec) ? service.Spec.ClusterIP ?? "" : null,
        NodePorts = [.. (service.Spec.Ports ?? []).Select(p => ServiceDefaults.NeedsNodePorts(service.Spec) ? p.NodePort ?? 0 : (int?)null)],
    };

    private static ServiceAddresses AddressesOf(ServiceSpec spec) => new(
        ServiceDefaults.NeedsClusterIP(spec) && !string.IsNullOrEmpty(spec.ClusterIP) ? spec.ClusterIP : null,
        [.. (spec.Ports ?? []).Select(p => ServiceDefaults.NeedsNodePorts(spec) && p.NodePort is > 0 ? p.NodePort : null)]);

    /// <summary>Whether what is held already satisfies the request (nothing to draw, nothing new to claim).</summary>
    private static bool Covers(ServiceAddresses held, ServiceAddressRequest request) =>
        (request.ClusterIP is null || (request.ClusterIP.Length > 0 && request.ClusterIP == held.ClusterIP))
        && request.NodePorts.All(p => p is null || (p > 0 && held.NodePorts.Contains(p)));

    private static bool SameAddresses(ServiceAddresses a, ServiceAddresses b) =>
        a.ClusterIP == b.ClusterIP && a.NodePorts.OfType<int>().Order().SequenceEqual(b.NodePorts.OfType<int>().Order());

    /// <summary>
    /// An update that leaves out what was allocated keeps it (kube's patchAllocatedValues): the cluster IP while both
    /// need one, and each port's node port by port name while both need node ports.
    /// </summary>
    private static ServiceSpec KeepAllocated(ServiceSpec old, ServiceSpec desired)
    {
        if (ServiceDefaults.NeedsClusterIP(old) && ServiceDefaults.NeedsClusterIP(desired) && string.IsNullOrEmpty(desired.ClusterIP))
            desired = desired with { ClusterIP = old.ClusterIP, ClusterIPs = desired.ClusterIPs is { Count: > 0 } ? desired.ClusterIPs : old.ClusterIPs };
        if (ServiceDefaults.NeedsNodePorts(old) && ServiceDefaults.NeedsNodePorts(desired) && desired.Ports is { } ports)
        {
            var used = ports.Select(p => p.NodePort ?? 0).Where(p => p > 0).ToHashSet();
            var byName = (old.Ports ?? []).Where(p => p.NodePort > 0).GroupBy(p => p.Name ?? "").ToDictionary(g => g.Key, g => g.First().NodePort!.Value);
            desired = desired with
            {
                Ports = ports.ConvertAll(p => p.NodePort is null or 0 && byName.TryGetValue(p.Name ?? "", out var n) && used.Add(n) ? p with { NodePort = n } : p),
            };
        }
        return desired;
    }

    private static bool HasSelector(Service? service) => service?.Spec.Selector is { Count: > 0 };

    private static int Addresses(Endpoints endpoints, bool ready) =>
        (endpoints.Subsets ?? []).Sum(s => (ready ? s.Addresses : s.NotReadyAddresses)?.Count ?? 0);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Endpoints of service {Service} now hold {Ready} ready and {NotReady} not-ready addresses")]
    private static partial void LogEndpoints(ILogger logger, string service, int ready, int notReady);

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoints of service {Service} not reconciled, retrying at the next resync: {Reason}")]
    private static partial void LogReconcileFailed(ILogger logger, string service, string reason);
}
