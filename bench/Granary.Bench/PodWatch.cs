using System.Diagnostics;
using Granary.Api;
using Granary.Client;
using Granary.Model;

namespace Granary.Bench;

/// <summary>A moment in a benchmark pod's life: the first watch event (or listed object) for which <see cref="IsMet"/> holds.</summary>
internal sealed record PodMilestone(string Name, Func<WatchEventType, Pod, bool> IsMet)
{
    public static readonly PodMilestone Bound = new("bound", (_, pod) => !string.IsNullOrEmpty(pod.Spec.NodeName));

    public static readonly PodMilestone MarkedUnschedulable = new("marked Unschedulable", (_, pod) =>
        string.IsNullOrEmpty(pod.Spec.NodeName) && UnschedulableMessage(pod) is not null);

    /// <summary>Phase Running and every container running: what "kubectl get pods" shows as Running with all containers up.</summary>
    public static readonly PodMilestone Running = new("Running", (type, pod) =>
        type != WatchEventType.Deleted && pod.Status is { Phase: "Running", ContainerStatuses: { Count: > 0 } statuses }
        && statuses.Count == (pod.Spec.Containers?.Count ?? 0) && statuses.All(s => s.State?.Running is not null));

    public static readonly PodMilestone Deleted = new("deleted", (type, _) => type == WatchEventType.Deleted);

    /// <summary>The message of a PodScheduled=False/Unschedulable condition, or null.</summary>
    public static string? UnschedulableMessage(Pod pod) =>
        pod.Status?.Conditions?.Find(c => c.Type == "PodScheduled") is { Status: "False", Reason: "Unschedulable" } condition ? condition.Message ?? "" : null;
}

/// <summary>
/// Watches the benchmark's pods from a list's resourceVersion on, and records for each pod and each milestone the
/// moment the first event meeting it arrived here (a Stopwatch timestamp). Keeps each pod's latest object too, to
/// explain a run that does not finish.
/// </summary>
internal sealed class PodWatch : IAsyncDisposable
{
    private readonly int _count;
    private readonly PodMilestone[] _milestones;
    private readonly MilestoneTimes[] _times;
    private readonly Pod?[] _latest;
    private readonly CancellationTokenSource _stop;
    private Task _loop = Task.CompletedTask;
    private long _events;

    private PodWatch(int count, IReadOnlyList<PodMilestone> milestones, CancellationToken ct)
    {
        _count = count;
        _milestones = [.. milestones];
        _times = [.. milestones.Select(m => new MilestoneTimes(count))];
        _latest = new Pod?[count];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public long Events => Interlocked.Read(ref _events);

    /// <summary>When each pod first met <paramref name="milestone"/>, one of those the watch was started with.</summary>
    public MilestoneTimes this[PodMilestone milestone] =>
        _times[Array.IndexOf(_milestones, milestone) is >= 0 and var i ? i : throw new ArgumentException($"this watch does not track \"{milestone.Name}\"", nameof(milestone))];

    /// <summary>The last object the watch saw for pod <paramref name="index"/> (the one a Deleted event carried, once deleted), or null.</summary>
    public Pod? Latest(int index) => Volatile.Read(ref _latest[index]);

    /// <summary>Lists pods for a resourceVersion, then watches from it in the background.</summary>
    public static async Task<PodWatch> StartAsync(ResourceClient<Pod> pods, int count, IReadOnlyList<PodMilestone> milestones, CancellationToken ct)
    {
        var watch = new PodWatch(count, milestones, ct);
        var list = await pods.ListAsync(new ListOptions { Namespace = BenchObjects.Namespace }, ct);
        foreach (var pod in list.Items)
            watch.Record(WatchEventType.Added, pod);
        watch._loop = watch.RunAsync(pods, list.ResourceVersion);
        return watch;
    }

    private async Task RunAsync(ResourceClient<Pod> pods, string resourceVersion)
    {
        try
        {
            var options = new WatchOptions { Namespace = BenchObjects.Namespace, ResourceVersion = resourceVersion };
            await foreach (var e in pods.WatchAsync(options, _stop.Token))
            {
                Interlocked.Increment(ref _events);
                Record(e.Type, e.Object);
            }
            Fail(new BenchmarkException("the pod watch ended without an error while the benchmark still needed it"));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            foreach (var times in _times)
                times.Cancel(_stop.Token);
        }
        catch (Exception e)
        {
            Fail(new BenchmarkException($"the pod watch failed after {Events} events: {e.GetType().Name}: {e.Message}"));
        }
    }

    private void Fail(BenchmarkException error)
    {
        foreach (var times in _times)
            times.Fail(error);
    }

    private void Record(WatchEventType type, Pod pod)
    {
        var index = BenchObjects.PodIndex(pod.Metadata.Name);
        if (index < 0 || index >= _count)
            return;
        Volatile.Write(ref _latest[index], pod);
        var now = Stopwatch.GetTimestamp();
        for (var m = 0; m < _milestones.Length; m++)
        {
            if (_times[m].At(index) == 0 && _milestones[m].IsMet(type, pod))
                _times[m].Record(index, now);
        }
    }

    /// <summary>Names of up to <paramref name="max"/> pods that have not met <paramref name="milestone"/>, for error messages.</summary>
    public IReadOnlyList<string> SomeMissing(PodMilestone milestone, int max) =>
        [.. this[milestone].Missing().Take(max).Select(i => BenchObjects.PodName(i, _count))];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        finally
        {
            _stop.Dispose();
        }
    }
}

/// <summary>Per pod, when it met one milestone (a Stopwatch timestamp, 0 for not yet). Written by the watch loop only, read from any thread.</summary>
internal sealed class MilestoneTimes(int count)
{
    private readonly long[] _at = new long[count];
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Made when someone waits for that one pod (the one-at-a-time phase), completed when it meets the milestone.
    private readonly TaskCompletionSource?[] _one = new TaskCompletionSource?[count];
    private int _reached;
    private long _lastAt;

    /// <summary>How many pods have met it.</summary>
    public int Reached => Volatile.Read(ref _reached);

    /// <summary>When the last pod met it (a Stopwatch timestamp).</summary>
    public long LastAt => Interlocked.Read(ref _lastAt);

    /// <summary>Completes when every pod has met it; faults when the watch fails.</summary>
    public Task All => _all.Task;

    public long At(int index) => Volatile.Read(ref _at[index]);

    /// <summary>Indexes of the pods that have not met it, in order.</summary>
    public IEnumerable<int> Missing() => Enumerable.Range(0, count).Where(i => At(i) == 0);

    /// <summary>
    /// Waits until every pod has met it (true) or <paramref name="limit"/> has passed (false; a limit already
    /// passed still looks once). Throws the watch's failure, or on cancellation.
    /// </summary>
    public async Task<bool> WaitAllAsync(TimeSpan limit, CancellationToken ct)
    {
        var finished = await Task.WhenAny(All, Task.Delay(limit > TimeSpan.Zero ? limit : TimeSpan.Zero, ct));
        ct.ThrowIfCancellationRequested();
        if (finished != All)
            return false;
        await All;
        return true;
    }

    /// <summary>
    /// Waits until pod <paramref name="index"/> has met it (true) or <paramref name="limit"/> has passed (false).
    /// Throws the watch's failure, or on cancellation.
    /// </summary>
    public async Task<bool> WaitOneAsync(int index, TimeSpan limit, CancellationToken ct)
    {
        var one = LazyInitializer.EnsureInitialized(ref _one[index], () => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        // Looked at after the waiter exists, so a Record between the two is seen by one side or the other.
        if (Interlocked.Read(ref _at[index]) != 0)
            return true;
        var finished = await Task.WhenAny(one.Task, All, Task.Delay(limit > TimeSpan.Zero ? limit : TimeSpan.Zero, ct));
        ct.ThrowIfCancellationRequested();
        if (finished == All)
            await All; // the watch failed (every pod reached it would have completed the one too)
        return Interlocked.Read(ref _at[index]) != 0;
    }

    public void Record(int index, long now)
    {
        Interlocked.Exchange(ref _at[index], now);
        Volatile.Read(ref _one[index])?.TrySetResult();
        Interlocked.Exchange(ref _lastAt, now);
        if (Interlocked.Increment(ref _reached) == count)
            _all.TrySetResult();
    }

    public void Fail(Exception error) => _all.TrySetException(error);

    public void Cancel(CancellationToken ct) => _all.TrySetCanceled(ct);
}
