using Granary.NodeAgent.Runtime;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Probes;

/// <summary>
/// The liveness, readiness and startup probes of every running container on the node (the kubelet's prober
/// manager). The reconciler tells it which containers run (<see cref="Sync"/>) and reads the results by container
/// id; <see cref="Changed"/> says that a result flipped, so it can act at once instead of at its next pass.
/// Probes run on the injected clock's timers. Thread-safe.
/// </summary>
public sealed partial class ProbeManager : IDisposable
{
    private readonly ProbeRunner _runner;
    private readonly TimeProvider _time;
    private readonly ILogger<ProbeManager> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ContainerProbes> _containers = new(StringComparer.Ordinal);
    private bool _disposed;

    public ProbeManager(IContainerRuntime runtime, TimeProvider time, ILogger<ProbeManager> logger)
    {
        _runner = new ProbeRunner(runtime, time);
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Raised, on a probe's timer thread, when a container's Started, Ready or Live flips. Handlers should only
    /// wake the reconciler; an exception they throw is logged, not propagated.
    /// </summary>
    public event Action? Changed;

    /// <summary>
    /// Raised, on a probe's timer thread, for every failed (or errored) attempt: the kubelet's Unhealthy event. Handlers
    /// should only record; an exception they throw is logged, not propagated.
    /// </summary>
    public event Action<ProbeTarget, ProbeResult>? AttemptFailed;

    /// <summary>
    /// The containers that run now (by container id, with their start time and spec). New ones start with the
    /// initial results and their probes' timers; probes of containers no longer listed stop and their results go.
    /// A container id already known keeps its probes: a new attempt of a container has a new id. Idempotent.
    /// </summary>
    public void Sync(IEnumerable<ProbeTarget> targets)
    {
        var added = new List<ContainerProbes>();
        var removed = new List<ContainerProbes>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = new HashSet<string>(StringComparer.Ordinal);
            foreach (var target in targets)
            {
                if (!current.Add(target.ContainerId) || _containers.ContainsKey(target.ContainerId))
                    continue;
                var probes = new ContainerProbes(target, _runner, _time, OnReported);
                _containers[target.ContainerId] = probes;
                added.Add(probes);
            }
            foreach (var (id, probes) in _containers.Where(c => !current.Contains(c.Key)).ToList())
            {
                _containers.Remove(id);
                removed.Add(probes);
            }
        }
        foreach (var probes in removed)
            probes.Dispose();
        foreach (var probes in added)
            probes.Start();
    }

    /// <summary>The probe results of a container, or null for one not synced (or gone).</summary>
    public ContainerProbeStatus? Status(string containerId)
    {
        ContainerProbes? probes;
        lock (_lock)
            probes = _containers.GetValueOrDefault(containerId);
        return probes?.Status;
    }

    /// <summary>Whether the container takes traffic; false for an unknown container.</summary>
    public bool IsReady(string containerId) => Status(containerId)?.Ready ?? false;

    /// <summary>False means: restart it (a liveness or startup probe failed). True for an unknown container: nothing proved it dead.</summary>
    public bool IsLive(string containerId) => Status(containerId)?.Live ?? true;

    /// <summary>Whether the container has started (its startup probe passed, or it has none); false for an unknown container.</summary>
    public bool IsStarted(string containerId) => Status(containerId)?.Started ?? false;

    /// <summary>The message of the latest failed probe attempt, for events and the restart reason; null when none.</summary>
    public string? LastFailure(string containerId) => Status(containerId)?.LastFailure;

    private void OnReported(ContainerProbes probes, ProbeKind kind, ProbeResult result, ContainerProbeStatus before, ContainerProbeStatus after)
    {
        lock (_lock)
        {
            if (_disposed || _containers.GetValueOrDefault(probes.Target.ContainerId) != probes)
                return;
        }
        var target = probes.Target;
        if (!result.Succeeded)
        {
            LogAttemptFailed(_logger, target.PodUid, target.ContainerName, result.Message);
            try
            {
                AttemptFailed?.Invoke(target, result);
            }
            catch (Exception e)
            {
                LogHandlerFailed(_logger, e);
            }
        }
        if (before.Started == after.Started && before.Ready == after.Ready && before.Live == after.Live)
            return;

        LogFlipped(_logger, target.PodUid, target.ContainerName, kind, after.Started, after.Ready, after.Live, after.LastFailure);
        try
        {
            Changed?.Invoke();
        }
        catch (Exception e)
        {
            LogHandlerFailed(_logger, e);
        }
    }

    public void Dispose()
    {
        List<ContainerProbes> all;
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            all = [.. _containers.Values];
            _containers.Clear();
        }
        foreach (var probes in all)
            probes.Dispose();
        _runner.Dispose();
    }
}
