using System.Collections.Immutable;
using Granary.Model;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// Everything the agent keeps about one pod between passes, in one place: back-off per container, the last pull
/// failure, the last status, what was reported once, and the kills and termination running beside the loop.
/// Dropped whole when the pod goes (<see cref="PodRecords"/>), so nothing of a pod outlives it.
/// Thread-safe: the loop works on a pod in one pass at a time; background kills end on other threads.
/// </summary>
public sealed class PodRecord(string uid)
{
    private readonly Lock _lock = new();
    private PodMemory _memory = PodMemory.Empty;
    private readonly Dictionary<string, Task> _kills = new(StringComparer.Ordinal);
    private Task? _termination;

    public string Uid { get; } = uid;

    public PodMemory Snapshot()
    {
        lock (_lock)
            return _memory with { Killing = [.. _kills.Keys], Terminating = _termination is not null };
    }

    /// <summary>Work of this pod running beside the loop (kills, the termination), to await on shutdown.</summary>
    public IReadOnlyList<Task> Work
    {
        get
        {
            lock (_lock)
                return [.. _kills.Values, .. _termination is null ? Array.Empty<Task>() : [_termination]];
        }
    }

    public bool Busy => Work.Count > 0;

    public void SetRestarts(ImmutableDictionary<string, RestartBackoff> restarts) => Update(m => m with { Restarts = restarts });

    public void SetStatus(PodStatus status) => Update(m => m with { LastStatus = status });

    public void PullFailed(string container, DateTimeOffset at, string message) => Update(m =>
    {
        var backoff = RestartBackoff.After(m.PullFailures.GetValueOrDefault(container)?.Backoff, at);
        return m with { PullFailures = m.PullFailures.SetItem(container, new PullFailure(backoff, message)) };
    });

    public void PullSucceeded(string container) => Update(m => m with { PullFailures = m.PullFailures.Remove(container) });

    public void MarkReported(ReportKey key, string token) => Update(m => m with { Reported = m.Reported.SetItem(key, token) });

    /// <summary>Records through <paramref name="record"/> unless <paramref name="token"/> is what was last reported in that slot.</summary>
    public void ReportOnce(ReportKey key, string token, Action record)
    {
        lock (_lock)
        {
            if (_memory.Reported.TryGetValue(key, out var last) && last == token)
                return;
            _memory = _memory with { Reported = _memory.Reported.SetItem(key, token) };
        }
        record();
    }

    /// <summary>Forgets what was reported in a slot, so the state is reported again when it comes back.</summary>
    public void ClearReported(ReportKey key) => Update(m => m with { Reported = m.Reported.Remove(key) });

    /// <summary>Starts a kill of container <paramref name="id"/> beside the loop unless one is running; it is tracked until it ends.</summary>
    /// <paramref name="kill"/> handles its own failures; <paramref name="then"/> runs once it is no longer tracked.
    public bool TryStartKill(string id, Func<Task> kill, Action then)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_kills.ContainsKey(id))
                return false;
            _kills[id] = done.Task;
        }
        _ = RunTracked(kill, done, () =>
        {
            lock (_lock)
                _kills.Remove(id);
        }, then);
        return true;
    }

    /// <summary>Starts the pod's termination beside the loop unless it is running; it is tracked until it ends.</summary>
    /// <paramref name="terminate"/> handles its own failures.
    public bool TryStartTermination(Func<Task> terminate)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_termination is not null)
                return false;
            _termination = done.Task;
        }
        _ = RunTracked(terminate, done, () =>
        {
            lock (_lock)
                _termination = null;
        }, then: null);
        return true;
    }

    // The tracked task is the completion source's: the work handles its own failures, and one it did not expect
    // still ends the tracking and stays on the tracked task, for the loop that awaits it on shutdown.
    private static async Task RunTracked(Func<Task> work, TaskCompletionSource done, Action untrack, Action? then)
    {
        Exception? unexpected = null;
        try
        {
            await Task.Run(work);
        }
        catch (Exception e)
        {
            unexpected = e;
        }
        untrack();
        then?.Invoke();
        if (unexpected is null)
            done.SetResult();
        else
            done.SetException(unexpected);
    }

    private void Update(Func<PodMemory, PodMemory> change)
    {
        lock (_lock)
            _memory = change(_memory);
    }
}
