using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Granary.Model;
using Granary.NodeAgent.Pods;

namespace Granary.NodeAgent.Observability;

/// <summary>
/// The kubelet's metrics, under the kubelet's names, so dashboards written for kube read an agent as they read a
/// kubelet: <c>kubelet_pod_start_duration_seconds</c> (from the agent first hearing of a pod to its first Running
/// status), <c>kubelet_running_pods</c>, <c>kubelet_running_containers{container_state}</c> and, through
/// <see cref="InstrumentedRuntime"/>, <c>kubelet_runtime_operations_duration_seconds{operation_type}</c> with
/// <c>kubelet_runtime_operations_errors_total</c>. <see cref="KubeletMetricsFeed"/> tells it of pods and of their
/// statuses, so the sync loop itself carries no metric code.
/// </summary>
public sealed class KubeletMetrics : IDisposable
{
    public const string MeterName = "Granary.Kubelet";

    // kube's buckets for pod start (0.5 s … 1 h), with three below them: a pod here may run in a tenth of a second.
    private static readonly double[] PodStartBuckets =
        [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

    // kube's ExponentialBuckets(0.005, 2.5, 14).
    private static readonly double[] RuntimeBuckets =
        [0.005, 0.0125, 0.03125, 0.078125, 0.1953125, 0.48828125, 1.220703125, 3.0517578125, 7.62939453125, 19.073486328125, 47.6837158203125, 119.20928955078125, 298.0232238769531, 745.0580596923828];

    private static readonly KeyValuePair<string, object?> Running = new("container_state", "running");
    private static readonly KeyValuePair<string, object?> Exited = new("container_state", "exited");

    private readonly Meter _meter;
    private readonly Histogram<double> _podStart;
    private readonly Histogram<double> _runtimeOperations;
    private readonly Counter<long> _runtimeErrors;
    // Per pod uid: when the agent first heard of it (a Stopwatch timestamp), until its start was recorded.
    private readonly ConcurrentDictionary<string, long> _firstSeen = new(StringComparer.Ordinal);
    // Per pod uid: what its last observed status says runs.
    private readonly ConcurrentDictionary<string, PodCounts> _observed = new(StringComparer.Ordinal);

    public KubeletMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _podStart = _meter.CreateHistogram<double>("kubelet_pod_start_duration_seconds", "s",
            "Duration in seconds from the agent seeing a pod for the first time to the pod starting to run.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PodStartBuckets });
        _runtimeOperations = _meter.CreateHistogram<double>("kubelet_runtime_operations_duration_seconds", "s",
            "Duration in seconds of container runtime operations, by operation type.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RuntimeBuckets });
        _runtimeErrors = _meter.CreateCounter<long>("kubelet_runtime_operations_errors_total", null,
            "Cumulative number of container runtime operation errors, by operation type.");
        _meter.CreateObservableGauge<int>("kubelet_running_pods", () => _observed.Values.Count(c => c.PodRunning), null,
            "Number of pods whose last status is Running.");
        _meter.CreateObservableGauge<int>("kubelet_running_containers", ContainerStates, null,
            "Number of containers currently running or exited, by state, as the pods' last statuses say.");
    }

    /// <summary>One runtime operation's duration (and whether it failed); the tag is one of <see cref="RuntimeOperation"/>'s.</summary>
    public void RuntimeOperation(KeyValuePair<string, object?> operation, long startedAt, bool failed)
    {
        _runtimeOperations.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, operation);
        if (failed)
            _runtimeErrors.Add(1, operation);
    }

    /// <summary>The pods the agent is asked to run now; those it hears of for the first time start their clock.</summary>
    public void PodsDesired(IEnumerable<Pod> pods)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var pod in pods)
        {
            if (pod.Metadata.Uid is { } uid && !_observed.ContainsKey(uid))
                _firstSeen.TryAdd(uid, now);
        }
    }

    /// <summary>A status the agent observed for a pod.</summary>
    public void PodStatusObserved(Pod pod, PodStatus status)
    {
        var uid = pod.Metadata.Uid!;
        var counts = PodCounts.Of(status);
        _observed[uid] = counts;
        if (counts.PodRunning && _firstSeen.TryRemove(uid, out var seen))
            _podStart.Record(Stopwatch.GetElapsedTime(seen).TotalSeconds);
    }

    /// <summary>A pod that is gone.</summary>
    public void PodForgotten(string uid)
    {
        _observed.TryRemove(uid, out _);
        _firstSeen.TryRemove(uid, out _);
    }

    private IEnumerable<Measurement<int>> ContainerStates()
    {
        int running = 0, exited = 0;
        foreach (var counts in _observed.Values)
        {
            running += counts.RunningContainers;
            exited += counts.ExitedContainers;
        }
        return [new Measurement<int>(running, Running), new Measurement<int>(exited, Exited)];
    }

    public void Dispose() => _meter.Dispose();

    private readonly record struct PodCounts(bool PodRunning, int RunningContainers, int ExitedContainers)
    {
        public static PodCounts Of(PodStatus status)
        {
            int running = 0, exited = 0;
            foreach (var container in status.ContainerStatuses ?? [])
            {
                if (container.State?.Running is not null)
                    running++;
                else if (container.State?.Terminated is not null)
                    exited++;
            }
            return new PodCounts(status.Phase == PodReasons.Running, running, exited);
        }
    }
}
