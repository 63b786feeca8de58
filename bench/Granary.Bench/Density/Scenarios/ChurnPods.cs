using System.Diagnostics;
using Granary.Api;
using Granary.Client;
using Granary.Model;

namespace Granary.Bench;

/// <summary>
/// Watches the churn scenario's pods (label app=granary-churn) from a list's resourceVersion on and records, per pod
/// (by uid), when the watch first saw it (its create, as a watcher sees it: the pods are made by ReplicaSets), first
/// saw it bound and Running, and saw it deleted. Counts for the timeline and waits on them without polling: each
/// event wakes the waiters.
/// </summary>
internal sealed class ChurnPods : IAsyncDisposable
{
    private sealed class Seen(string name, long addedAt)
    {
        public string Name { get; } = name;
        public long AddedAt { get; } = addedAt;
        public long BoundAt { get; set; }
        public long RunningAt { get; set; }
        public long DeletedAt { get; set; }
    }

    private readonly Dictionary<string, Seen> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private Exception? _failure;
    // Kept as events arrive, so a waiter woken by every event reads them without a pass over every pod.
    private int _live;
    private int _boundLive;
    private int _runningLive;

    private ChurnPods(CancellationToken ct)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public static async Task<ChurnPods> StartAsync(ResourceClient<Pod> pods, CancellationToken ct)
    {
        var watch = new ChurnPods(ct);
        var list = await pods.ListAsync(new ListOptions { Namespace = BenchObjects.Namespace, LabelSelector = Selector }, ct);
        foreach (var pod in list.Items)
            watch.Record(WatchEventType.Added, pod);
        watch._loop = watch.RunAsync(pods, list.ResourceVersion);
        return watch;
    }

    private static string Selector => $"app={DeploymentCalls.AppLabel}";

    /// <summary>Pods seen so far (created), those seen bound and Running that still live, and those that live.</summary>
    public (int Created, int Bound, int Running, int Live) Counts()
    {
        lock (_pods)
            return (_pods.Count, _boundLive, _runningLive, _live);
    }

    /// <summary>A pod that lives, for the background reader's gets; null when none does.</summary>
    public string? AnyLive(Random random)
    {
        lock (_pods)
        {
            var live = _pods.Values.Where(p => p.DeletedAt == 0).ToList();
            return live.Count == 0 ? null : live[random.Next(live.Count)].Name;
        }
    }

    /// <summary>Per pod that became Running: seconds into the run when it was first seen and when it was seen Running.</summary>
    public IReadOnlyList<(string Name, double Added, double Running)> Startups(long startedAt)
    {
        lock (_pods)
            return [.. _pods.Values.Where(p => p.RunningAt != 0).OrderBy(p => p.AddedAt)
                .Select(p => (p.Name, Stopwatch.GetElapsedTime(startedAt, p.AddedAt).TotalSeconds, Stopwatch.GetElapsedTime(startedAt, p.RunningAt).TotalSeconds))];
    }

    /// <summary>Waits until <paramref name="done"/> holds for the counts (true) or <paramref name="limit"/> passes (false); throws the watch's failure.</summary>
    public async Task<bool> WaitUntilAsync(Func<(int Created, int Bound, int Running, int Live), bool> done, TimeSpan limit, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task changed;
            lock (_pods)
                changed = _changed.Task;
            if (Volatile.Read(ref _failure) is { } failure)
                throw new BenchmarkException($"the churn pod watch failed: {failure.GetType().Name}: {failure.Message}");
            if (done(Counts()))
                return true;
            var left = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (left <= TimeSpan.Zero)
                return false;
            try
            {
                await changed.WaitAsync(left, ct);
            }
            catch (TimeoutException)
            {
                // Looked at once more above, then false.
            }
        }
    }

    private async Task RunAsync(ResourceClient<Pod> pods, string resourceVersion)
    {
        try
        {
            var options = new WatchOptions { Namespace = BenchObjects.Namespace, LabelSelector = Selector, ResourceVersion = resourceVersion };
            await foreach (var e in pods.WatchAsync(options, _stop.Token))
                Record(e.Type, e.Object);
            Fail(new BenchmarkException("the watch ended without an error while the benchmark still needed it"));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped at the end of the run.
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Fail(Exception error)
    {
        Volatile.Write(ref _failure, error);
        Wake();
    }

    private void Record(WatchEventType type, Pod pod)
    {
        var now = Stopwatch.GetTimestamp();
        var uid = pod.Metadata.Uid ?? pod.Metadata.Name!;
        lock (_pods)
        {
            if (!_pods.TryGetValue(uid, out var seen))
            {
                _pods[uid] = seen = new Seen(pod.Metadata.Name!, now);
                _live++;
            }
            if (seen.DeletedAt != 0)
                return;
            if (seen.BoundAt == 0 && !string.IsNullOrEmpty(pod.Spec.NodeName))
            {
                seen.BoundAt = now;
                _boundLive++;
            }
            if (seen.RunningAt == 0 && PodMilestone.Running.IsMet(type, pod))
            {
                seen.RunningAt = now;
                _runningLive++;
            }
            if (type == WatchEventType.Deleted)
            {
                seen.DeletedAt = now;
                _live--;
                _boundLive -= seen.BoundAt != 0 ? 1 : 0;
                _runningLive -= seen.RunningAt != 0 ? 1 : 0;
            }
        }
        Wake();
    }

    private void Wake()
    {
        TaskCompletionSource woken;
        lock (_pods)
        {
            woken = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
