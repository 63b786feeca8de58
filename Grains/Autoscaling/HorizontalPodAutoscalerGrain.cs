using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Metrics;
using Granary.Model;
using Granary.Selectors;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Autoscaling;

/// <summary>
/// Owns one HorizontalPodAutoscaler (key "namespace/name") and is its controller, as kube-controller-manager's HPA
/// controller: every sync period it reads the target's scale, its pods and their usage (from the nodes' metrics grains,
/// what the metrics API serves), lets <see cref="ReplicaCalculator"/> propose replicas per metric and
/// <see cref="ScalingBehavior"/> stabilize and limit them, scales through the target and writes status, conditions and
/// events. Recommendations and recent rescales are kept in memory, as kube keeps them: a new activation starts afresh.
/// </summary>
public sealed partial class HorizontalPodAutoscalerGrain(IObjectStore store, TimeProvider time, ILogger<HorizontalPodAutoscalerGrain> logger,
    WatchCache cache, EventBroadcaster events)
    : ControllerGrain<HorizontalPodAutoscaler>(store, time, logger), IHorizontalPodAutoscalerGrain
{
    /// <summary>kube-controller-manager's --horizontal-pod-autoscaler-sync-period.</summary>
    public static readonly TimeSpan SyncPeriod = TimeSpan.FromSeconds(15);

    /// <summary>How long a rescale is remembered for the rate policies (kube keeps the longest policy period; 1800 s is the most allowed).</summary>
    private static readonly TimeSpan EventMemory = TimeSpan.FromSeconds(1800);

    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = "horizontal-pod-autoscaler" });
    private ImmutableList<TimedReplicas> _recommendations = [];
    private readonly List<TimedReplicas> _scaleUps = [];
    private readonly List<TimedReplicas> _scaleDowns = [];

    protected override ImmutableList<FieldError> Validate(HorizontalPodAutoscaler resource) => HorizontalPodAutoscalerValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(HorizontalPodAutoscaler old, HorizontalPodAutoscaler updated) =>
        HorizontalPodAutoscalerValidation.ValidateUpdate(old, updated);

    protected override HorizontalPodAutoscaler ApplyDefaults(HorizontalPodAutoscaler resource) => HorizontalPodAutoscalerDefaults.Apply(resource);

    protected override HorizontalPodAutoscaler PrepareCreate(HorizontalPodAutoscaler resource) =>
        resource with { Status = new HorizontalPodAutoscalerStatus() };

    protected override HorizontalPodAutoscaler WithSpec(HorizontalPodAutoscaler existing, HorizontalPodAutoscaler desired) => existing with { Spec = desired.Spec };

    protected override HorizontalPodAutoscaler WithStatus(HorizontalPodAutoscaler existing, HorizontalPodAutoscaler desired) => existing with { Status = desired.Status };

    protected override async Task<DateTimeOffset?> ReconcileAsync()
    {
        if (Current is not { } hpa || hpa.Metadata.DeletionTimestamp is not null)
            return null;
        var now = Time.GetUtcNow();
        var status = await SyncAsync(hpa, now);
        if (Current is { } latest && !Equals(Comparable(latest.Status), Comparable(status)))
            await WriteUpdateAsync(latest, latest with { Status = status });
        return now + SyncPeriod;
    }

    /// <summary>One pass of kube's reconcileAutoscaler; returns the new status.</summary>
    private async Task<HorizontalPodAutoscalerStatus> SyncAsync(HorizontalPodAutoscaler hpa, DateTimeOffset now)
    {
        var previous = hpa.Status ?? new HorizontalPodAutoscalerStatus();
        var conditions = previous.Conditions ?? [];
        var status = previous with { ObservedGeneration = hpa.Metadata.Generation };
        var target = hpa.Spec.ScaleTargetRef;
        IScalable scale;
        ResourceKind kind;
        try
        {
            kind = ResourceKinds.Find(target.Kind) is { } found && ResourceGrains.FindModelType(found)?.IsAssignableTo(typeof(IScalable)) == true
                ? found : throw new NotFoundException(target.Kind, target.Name);
            scale = await ResourceGrains.GetAsync(GrainFactory, kind, kind.KeyOf(NamespaceName, target.Name)) as IScalable
                ?? throw new NotFoundException(kind.Plural, target.Name);
        }
        catch (GranaryException e) when (e is NotFoundException)
        {
            var message = $"the HPA controller was unable to get the target's current scale: {e.Message}";
            _events.Record(hpa, Event.Warning, "FailedGetScale", e.Message);
            return status with { Conditions = HpaConditions.Set(conditions, HpaConditions.AbleToScale, false, "FailedGetScale", message, now) };
        }
        conditions = HpaConditions.Set(conditions, HpaConditions.AbleToScale, true, "SucceededGetScale", "the HPA controller was able to get the target's current scale", now);
        var current = scale.DesiredReplicas;
        var min = hpa.Spec.MinReplicas ?? 1;
        var max = hpa.Spec.MaxReplicas;
        status = status with { CurrentReplicas = scale.ObservedReplicas };

        int desired;
        string? reason = null;
        ImmutableList<MetricStatus>? metrics = previous.CurrentMetrics;
        if (current == 0 && min != 0)
        {
            conditions = HpaConditions.Set(conditions, HpaConditions.ScalingActive, false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero", now);
            desired = 0;
        }
        else if (current > max)
        {
            (desired, reason) = (max, "Current number of replicas above Spec.MaxReplicas");
        }
        else if (current < min)
        {
            (desired, reason) = (min, "Current number of replicas below Spec.MinReplicas");
        }
        else
        {
            var computed = await ComputeAsync(hpa, scale, current, now);
            metrics = computed.Statuses;
            if (computed.Error is { } error)
            {
                _events.Record(hpa, Event.Warning, "FailedGetResourceMetric", error);
                _events.Record(hpa, Event.Warning, "FailedComputeMetricsReplicas", $"invalid metrics ({computed.Invalid} invalid out of {hpa.Spec.Metrics?.Count ?? 0}), first error is: failed to get {computed.FailedResource} resource metric value: {error}");
                conditions = HpaConditions.Set(conditions, HpaConditions.ScalingActive, false, "FailedGetResourceMetric", $"the HPA was unable to compute the replica count: failed to get {computed.FailedResource} resource metric value: {error}", now);
            }
            if (computed.Replicas is not { } proposed)
                return status with { Conditions = conditions, CurrentMetrics = metrics, DesiredReplicas = current };
            if (computed.Error is null)
                conditions = HpaConditions.Set(conditions, HpaConditions.ScalingActive, true, "ValidMetricFound", $"the HPA was able to successfully calculate a replica count from {computed.MetricName}", now);
            var decision = ScalingBehavior.Decide(hpa, current, proposed, _recommendations, Recent(_scaleUps, now), Recent(_scaleDowns, now), now);
            _recommendations = decision.Recommendations;
            desired = decision.Replicas;
            conditions = decision.LimitReason is { } limit
                ? HpaConditions.Set(conditions, HpaConditions.ScalingLimited, true, limit, decision.LimitMessage!, now)
                : HpaConditions.Set(conditions, HpaConditions.ScalingLimited, false, "DesiredWithinRange", "the desired count is within the acceptable range", now);
            reason = desired > current ? $"{computed.MetricName} above target" : "All metrics below target";
        }

        status = status with { DesiredReplicas = desired, CurrentMetrics = metrics };
        if (desired == current)
        {
            conditions = HpaConditions.Set(conditions, HpaConditions.AbleToScale, true, "ReadyForNewScale", "recommended size matches current size", now);
            return status with { Conditions = conditions };
        }
        try
        {
            await RescaleAsync(kind, kind.KeyOf(NamespaceName, target.Name), scale, desired);
        }
        catch (GranaryException e) when (e is ConflictException or NotFoundException or InvalidException)
        {
            _events.Record(hpa, Event.Warning, "FailedRescale", $"New size: {desired}; reason: {reason}; error: {e.Message}");
            conditions = HpaConditions.Set(conditions, HpaConditions.AbleToScale, false, "FailedUpdateScale", $"the HPA controller was unable to update the target scale: {e.Message}", now);
            return status with { Conditions = conditions, DesiredReplicas = current };
        }
        (desired > current ? _scaleUps : _scaleDowns).Add(new TimedReplicas(now, Math.Abs(desired - current)));
        _events.Record(hpa, Event.Normal, "SuccessfulRescale", $"New size: {desired}; reason: {reason}");
        LogRescaled(Logger, Key, current, desired, reason ?? "");
        conditions = HpaConditions.Set(conditions, HpaConditions.AbleToScale, true, "SucceededRescale", $"the HPA controller was able to update the target scale to {desired}", now);
        return status with { Conditions = conditions, LastScaleTime = now };
    }

    /// <summary>
    /// Sets the target's replicas as its scale subresource does: only spec.replicas changes, and a write that raced
    /// another (the target's controller writing its status) is made again on the newer version, a few times.
    /// </summary>
    private async Task RescaleAsync(ResourceKind kind, string key, IScalable scale, int replicas)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ResourceGrains.UpdateAsync(GrainFactory, kind, key, scale.WithReplicas(replicas));
                return;
            }
            catch (ConflictException) when (attempt < 4)
            {
                scale = await ResourceGrains.GetAsync(GrainFactory, kind, key) as IScalable ?? throw new NotFoundException(kind.Plural, key);
            }
        }
    }

    /// <summary>The highest proposal over the metrics, each metric's status, and the first error (kube's computeReplicasForMetrics).</summary>
    private async Task<MetricsOutcome> ComputeAsync(HorizontalPodAutoscaler hpa, IScalable scale, int current, DateTimeOffset now)
    {
        var selector = scale.PodSelector?.ToSelector() ?? LabelSelector.Everything;
        var pods = (await cache.ConsistentAsync(ResourceKinds.Pod)).Selected(NamespaceName!, selector).Cast<Pod>().ToList();
        var usage = await UsageAsync(pods);
        int? best = null;
        string? metricName = null, error = null, failedResource = null;
        var invalid = 0;
        var statuses = ImmutableList.CreateBuilder<MetricStatus>();
        foreach (var metric in hpa.Spec.Metrics ?? [])
        {
            if (metric.Resource is not { } r)
                continue;
            try
            {
                var samples = pods.Select(p => Sample(p, r.Name)).ToList();
                var values = Values(pods, usage, r.Name);
                ReplicaProposal proposal;
                string name;
                if (r.Target.Type == MetricTarget.UtilizationType)
                {
                    proposal = ReplicaCalculator.ForUtilization(current, r.Target.AverageUtilization!.Value, r.Name, samples, values, now);
                    name = $"{r.Name} resource utilization (percentage of request)";
                }
                else
                {
                    proposal = ReplicaCalculator.ForAverageValue(current, r.Target.AverageValue!.Value.MilliValue, r.Name, samples, values, now);
                    name = $"{r.Name} resource";
                }
                statuses.Add(new MetricStatus
                {
                    Type = MetricSpec.ResourceType,
                    Resource = new ResourceMetricStatus
                    {
                        Name = r.Name,
                        Current = new MetricValueStatus { AverageValue = Quantity.FromMilli(proposal.AverageMilliValue), AverageUtilization = proposal.Utilization },
                    },
                });
                if (best is null || proposal.Replicas > best)
                    (best, metricName) = (proposal.Replicas, name);
            }
            catch (ReplicaCalculationException e)
            {
                invalid++;
                error ??= e.Message;
                failedResource ??= r.Name;
                statuses.Add(new MetricStatus { Type = "" });
            }
        }
        // kube: with an invalid metric only a scale-up is trusted.
        if (error is not null && best is { } b && b <= current)
            best = null;
        return new MetricsOutcome(best, metricName, statuses.ToImmutable(), error, failedResource, invalid);
    }

    private sealed record MetricsOutcome(int? Replicas, string? MetricName, ImmutableList<MetricStatus> Statuses, string? Error, string? FailedResource, int Invalid);

    /// <summary>The usage of each pod with metrics, by uid, from the metrics grains of the nodes the pods run on.</summary>
    private async Task<Dictionary<string, (NodeUsage Node, PodUsage Pod)>> UsageAsync(IReadOnlyList<Pod> pods)
    {
        var nodes = pods.Select(p => p.Spec.NodeName).OfType<string>().Distinct().ToList();
        var usages = await Task.WhenAll(nodes.Select(n => GrainFactory.GetGrain<INodeMetricsGrain>(n).GetUsageAsync()));
        var result = new Dictionary<string, (NodeUsage, PodUsage)>();
        foreach (var node in usages.OfType<NodeUsage>())
        {
            foreach (var pod in node.Pods)
                result[pod.Uid] = (node, pod);
        }
        return result;
    }

    /// <summary>Each pod's usage of the resource in thousandths, as kube reads a PodMetrics (CPU in millicores, rounded up).</summary>
    private static Dictionary<string, PodMetric> Values(IReadOnlyList<Pod> pods, Dictionary<string, (NodeUsage Node, PodUsage Pod)> usage, string resource)
    {
        var values = new Dictionary<string, PodMetric>();
        foreach (var pod in pods)
        {
            if (!usage.TryGetValue(pod.Metadata.Uid!, out var u))
                continue;
            var sum = u.Pod.Containers.Sum(c => resource == "cpu" ? (c.Usage.CpuNanocores + 999_999) / 1_000_000 : c.Usage.MemoryBytes * 1000);
            values[pod.Metadata.Name!] = new PodMetric(sum, u.Node.Timestamp, u.Node.Window);
        }
        return values;
    }

    private static PodSample Sample(Pod pod, string resource)
    {
        var ready = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        long? request = 0;
        string? missing = null;
        foreach (var c in pod.Spec.Containers ?? [])
        {
            if (c.Resources?.Requests?.TryGetValue(resource, out var q) == true)
            {
                request += q.MilliValue;
            }
            else
            {
                (request, missing) = (null, c.Name);
                break;
            }
        }
        return new PodSample
        {
            Name = pod.Metadata.Name!,
            Phase = pod.Status?.Phase,
            Deleting = pod.Metadata.DeletionTimestamp is not null,
            Ready = ready is null ? null : ready.Status == "True",
            ReadySince = ready?.LastTransitionTime,
            StartTime = pod.Status?.StartTime,
            Request = request,
            MissingRequest = missing,
        };
    }

    private static List<TimedReplicas> Recent(List<TimedReplicas> events, DateTimeOffset now)
    {
        events.RemoveAll(e => e.At <= now - EventMemory);
        return events;
    }

    /// <summary>The status as stored, to compare: a pass that changes nothing writes nothing.</summary>
    private static string Comparable(HorizontalPodAutoscalerStatus? status) => Granary.Serialization.GranaryJson.Serialize(status);

    [LoggerMessage(Level = LogLevel.Information, Message = "HorizontalPodAutoscaler {Key} scaled its target from {From} to {To}: {Reason}")]
    private static partial void LogRescaled(ILogger logger, string key, int from, int to, string reason);
}
