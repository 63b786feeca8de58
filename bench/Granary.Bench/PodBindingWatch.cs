using System.Diagnostics;
using Granary.Client;
using Granary.Model;

namespace Granary.Bench;

/// <summary>
/// Watches the benchmark's pods from a list's resourceVersion on, and records for each pod the moment its
/// first event with spec.nodeName set arrived here (a Stopwatch timestamp). Also counts pods that were marked
/// Unschedulable at some point, to explain a run that does not finish.
/// </summary>
internal sealed class PodBindingWatch : IAsyncDisposable
{
    private readonly int _count;
    private readonly long[] _boundAt;
    private readonly bool[] _markedUnschedulable;
    private readonly TaskCompletionSource _allBound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop;
    private Task _loop = Task.CompletedTask;
    private int _bound;
    private int _unschedulable;
    private long _events;
    private long _lastBoundAt;
    private string? _lastUnschedulableMessage;

    private PodBindingWatch(int count, CancellationToken ct)
    {
        _count = count;
        _boundAt = new long[count];
        _markedUnschedulable = new bool[count];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public int Bound => Volatile.Read(ref _bound);

    public int Unschedulable => Volatile.Read(ref _unschedulable);

    public long Events => Interlocked.Read(ref _events);

    public string? LastUnschedulableMessage => Volatile.Read(ref _lastUnschedulableMessage);

    /// <summary>When the last pod was first seen bound (a Stopwatch timestamp).</summary>
    public long LastBoundAt => Interlocked.Read(ref _lastBoundAt);

    /// <summary>Completes when every pod has been seen bound; faults when the watch fails.</summary>
    public Task AllBound => _allBound.Task;

    /// <summary>When pod <paramref name="index"/> was first seen bound (a Stopwatch timestamp), or 0.</summary>
    public long BoundAt(int index) => Volatile.Read(ref _boundAt[index]);

    /// <summary>Lists pods for a resourceVersion, then watches from it in the background.</summary>
    public static async Task<PodBindingWatch> StartAsync(ResourceClient<Pod> pods, int count, CancellationToken ct)
    {
        var watch = new PodBindingWatch(count, ct);
        var list = await pods.ListAsync(new ListOptions { Namespace = BenchObjects.Namespace }, ct);
        foreach (var pod in list.Items)
            watch.Record(pod);
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
                Record(e.Object);
            }
            _allBound.TrySetException(new BenchmarkException("the pod watch ended without an error before every pod was seen bound"));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _allBound.TrySetCanceled(_stop.Token);
        }
        catch (Exception e)
        {
            _allBound.TrySetException(new BenchmarkException($"the pod watch failed after {Events} events: {e.GetType().Name}: {e.Message}"));
        }
    }

    private void Record(Pod pod)
    {
        var index = BenchObjects.PodIndex(pod.Metadata.Name);
        if (index < 0 || index >= _count)
            return;
        if (!string.IsNullOrEmpty(pod.Spec.NodeName))
        {
            if (_boundAt[index] != 0)
                return;
            var now = Stopwatch.GetTimestamp();
            Volatile.Write(ref _boundAt[index], now);
            Interlocked.Exchange(ref _lastBoundAt, now);
            if (Interlocked.Increment(ref _bound) == _count)
                _allBound.TrySetResult();
        }
        else if (!_markedUnschedulable[index] && pod.Status?.Conditions?.Find(c => c.Type == "PodScheduled") is { Status: "False", Reason: "Unschedulable" } condition)
        {
            _markedUnschedulable[index] = true;
            Interlocked.Increment(ref _unschedulable);
            Volatile.Write(ref _lastUnschedulableMessage, condition.Message);
        }
    }

    /// <summary>Names of up to <paramref name="max"/> pods not yet seen bound, for error messages.</summary>
    public IReadOnlyList<string> SomeUnbound(int max) =>
        [.. Enumerable.Range(0, _count).Where(i => BoundAt(i) == 0).Take(max).Select(i => BenchObjects.PodName(i, _count))];

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
