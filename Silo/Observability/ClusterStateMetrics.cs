using System.Diagnostics.Metrics;
using Granary.Grains.Caching;
using Granary.Model;

namespace Granary.Silo.Observability;

/// <summary>
/// What the cluster holds, read from this silo's watch cache when /metrics is scraped: kube-apiserver's
/// <c>apiserver_storage_objects{resource}</c>, and pods by phase and nodes by condition under kube-state-metrics'
/// names (<c>kube_pod_status_phase{phase}</c>, <c>kube_node_status_condition{condition,status}</c>). Unlike
/// kube-state-metrics these are counts, not one series per pod or node: names and namespaces are never labels, so the
/// series stay few however large the cluster grows. Every silo caches every object, so every silo reports the same
/// counts: aggregate them across silos with max, not sum.
/// </summary>
internal sealed class ClusterStateMetrics : IDisposable
{
    public const string MeterName = "Granary.ClusterState";

    private static readonly string[] Phases = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];
    private static readonly string[] ConditionStatuses = ["True", "False", "Unknown"];

    private readonly Meter _meter;
    private readonly WatchCache _cache;

    public ClusterStateMetrics(IMeterFactory meters, WatchCache cache)
    {
        _cache = cache;
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge<long>("apiserver_storage_objects", StorageObjects, null,
            "Number of stored objects at the time of last check split by kind.");
        _meter.CreateObservableGauge<long>("kube_pod_status_phase", PodPhases, null,
            "The number of pods in each phase (kube-state-metrics' series, summed over pods).");
        _meter.CreateObservableGauge<long>("kube_node_status_condition", NodeConditions, null,
            "The number of nodes with each condition in each status (kube-state-metrics' series, summed over nodes).");
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> StorageObjects() =>
        _cache.All.Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("resource", c.Kind.Plural)));

    private List<Measurement<long>> PodPhases()
    {
        var counts = Phases.ToDictionary(p => p, _ => 0L, StringComparer.Ordinal);
        foreach (var (_, value) in _cache.For(ResourceKinds.Pod).Snapshot(ObjectFilter.Everything).Items)
        {
            var phase = (value as Pod)?.Status?.Phase;
            var known = phase is not null && counts.ContainsKey(phase) ? phase : "Pending";
            counts[known]++;
        }
        return [.. counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("phase", c.Key)))];
    }

    private List<Measurement<long>> NodeConditions()
    {
        var counts = new Dictionary<(string Condition, string Status), long>();
        foreach (var (_, value) in _cache.For(ResourceKinds.Node).Snapshot(ObjectFilter.Everything).Items)
        {
            foreach (var condition in (value as Node)?.Status?.Conditions ?? [])
            {
                var status = ConditionStatuses.Contains(condition.Status) ? condition.Status : "Unknown";
                foreach (var each in ConditionStatuses)
                    counts[(condition.Type, each)] = counts.GetValueOrDefault((condition.Type, each)) + (each == status ? 1 : 0);
            }
        }
        return [.. counts.Select(c => new Measurement<long>(c.Value,
            new KeyValuePair<string, object?>("condition", c.Key.Condition), new KeyValuePair<string, object?>("status", c.Key.Status)))];
    }
}
