using Granary.Api;
using Granary.Client;
using Granary.Model;

namespace Granary.Tests.Integration.Agent;

/// <summary>
/// Every event of one pod, from a version taken before the test acts, gathered by a watch in the background:
/// the test waits on it (a barrier) for a state and can then assert on the whole sequence it went through.
/// A wait that times out names its phase and the pod, and shows the states seen.
/// </summary>
public sealed class PodWatch : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<WatchEvent<Pod>> _events = [];
    private readonly Task _pump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _failure;
    private int _cursor;

    private readonly Func<string>? _context;

    private PodWatch(GranaryClient client, string ns, string name, string? resourceVersion, Func<string>? context)
    {
        Namespace = ns;
        Name = name;
        _context = context;
        var options = new WatchOptions { Namespace = ns, FieldSelector = $"metadata.name={name}", ResourceVersion = resourceVersion };
        _pump = Task.Run(() => PumpAsync(client, options));
    }

    public string Namespace { get; }

    public string Name { get; }

    private string Key => $"{Namespace}/{Name}";

    /// <summary>
    /// Starts watching pod <paramref name="name"/> from now: every later event is seen, the current state is not.
    /// <paramref name="context"/> adds to failure messages what explains them (the processes' recent output).
    /// </summary>
    public static async Task<PodWatch> StartAsync(GranaryClient client, string ns, string name, Func<string>? context = null)
    {
        var list = await client.Pods.ListAsync(new ListOptions { Namespace = ns, FieldSelector = $"metadata.name={name}" });
        return new PodWatch(client, ns, name, list.ResourceVersion, context);
    }

    /// <summary>Watches pod <paramref name="name"/> from its current state (an Added event when it exists) on.</summary>
    public static PodWatch FromCurrent(GranaryClient client, string ns, string name, Func<string>? context = null) =>
        new(client, ns, name, resourceVersion: null, context);

    /// <summary>Every event seen so far, oldest first.</summary>
    public IReadOnlyList<WatchEvent<Pod>> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    /// <summary>Every version of the pod seen so far (deletions included, as their last state).</summary>
    public IReadOnlyList<Pod> Versions => [.. Events.Select(e => e.Object)];

    private async Task PumpAsync(GranaryClient client, WatchOptions options)
    {
        try
        {
            await foreach (var e in client.Pods.WatchAsync(options, _stop.Token))
            {
                lock (_events)
                {
                    _events.Add(e);
                    _changed.TrySetResult();
                    _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception e)
        {
            lock (_events)
            {
                _failure = e;
                _changed.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Waits for the next event (after the one the last wait returned) that satisfies <paramref name="until"/>,
    /// and returns it. Events before it are passed over but stay in <see cref="Events"/>.
    /// </summary>
    public async Task<WatchEvent<Pod>> NextEventAsync(Func<WatchEvent<Pod>, bool> until, string phase, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_events)
            {
                for (; _cursor < _events.Count; _cursor++)
                {
                    if (until(_events[_cursor]))
                        return _events[_cursor++];
                }
                if (_failure is not null)
                    throw new InvalidOperationException($"{phase}: the watch of pod {Key} failed. States seen:\n{Describe()}{_context?.Invoke()}", _failure);
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
                throw new TimeoutException($"{phase}: pod {Key} did not get there within {(timeout ?? DefaultTimeout).TotalSeconds:0}s. States seen:\n{Describe()}{_context?.Invoke()}");
        }
    }

    /// <summary>Waits for the next version of the pod (not its deletion) that satisfies <paramref name="until"/>.</summary>
    public async Task<Pod> NextAsync(Func<Pod, bool> until, string phase, TimeSpan? timeout = null) =>
        (await NextEventAsync(e => e.Type != WatchEventType.Deleted && until(e.Object), phase, timeout)).Object;

    /// <summary>Waits for the pod's deletion event.</summary>
    public async Task<Pod> DeletedAsync(string phase, TimeSpan? timeout = null) =>
        (await NextEventAsync(e => e.Type == WatchEventType.Deleted, phase, timeout)).Object;

    /// <summary>The events seen, one line each, for failure messages.</summary>
    public string Describe()
    {
        lock (_events)
            return _events.Count == 0 ? "  (none)" : string.Join('\n', _events.Select(e => $"  {e.Type} {PodStates.Summary(e.Object)}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}
