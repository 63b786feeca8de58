using System.Diagnostics;
using Granary.Client;
using Granary.Model;

namespace Granary.Tests.Integration.Cluster;

/// <summary>
/// Every event of one kind (in one namespace, or cluster-wide), from a version taken before the test acts, each with
/// the moment it arrived on the test's clock. The test waits on it (a barrier) and then asserts on the order of things.
/// </summary>
public sealed class TimedWatch<T> : IAsyncDisposable where T : class, IResource<T>
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TimeSpan At, WatchEvent<T> Event)> _events = [];
    private readonly Stopwatch _clock;
    private readonly Task _pump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TimedWatch(ResourceClient<T> client, WatchOptions options, Stopwatch clock)
    {
        _clock = clock;
        _pump = Task.Run(() => PumpAsync(client, options));
    }

    /// <summary>Starts watching from now: later events are seen, the current state is not.</summary>
    public static async Task<TimedWatch<T>> StartAsync(ResourceClient<T> client, string? ns, Stopwatch clock)
    {
        var list = await client.ListAsync(new ListOptions { Namespace = ns });
        return new TimedWatch<T>(client, new WatchOptions { Namespace = ns, ResourceVersion = list.ResourceVersion }, clock);
    }

    public IReadOnlyList<(TimeSpan At, WatchEvent<T> Event)> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    /// <summary>Every version seen of the object named <paramref name="name"/>, with when it arrived.</summary>
    public IReadOnlyList<(TimeSpan At, WatchEvent<T> Event)> Of(string name) => [.. Events.Where(e => e.Event.Object.Metadata.Name == name)];

    /// <summary>
    /// Waits until <paramref name="done"/> holds for the events seen so far; returns when the event that made it hold
    /// arrived. The timeout names the phase and shows what was seen.
    /// </summary>
    public async Task<TimeSpan> WaitAsync(Func<IReadOnlyList<(TimeSpan At, WatchEvent<T> Event)>, bool> done, string phase, TimeSpan timeout, Func<string> context)
    {
        var deadline = Task.Delay(timeout);
        while (true)
        {
            Task changed;
            lock (_events)
            {
                if (done(_events))
                    return _events.Count == 0 ? _clock.Elapsed : _events[^1].At;
                changed = _changed.Task;
            }
            if (await Task.WhenAny(changed, deadline, _pump) != changed)
            {
                var seen = string.Join('\n', Events.TakeLast(15).Select(e => $"  {e.At.TotalSeconds:F1}s {e.Event.Type} {e.Event.Object.Metadata.Name}"));
                throw new TimeoutException($"{phase}: not reached within {timeout.TotalSeconds}s ({_pump.Exception?.GetBaseException().Message ?? "watch running"}); last events:\n{seen}\n{context()}");
            }
        }
    }

    private async Task PumpAsync(ResourceClient<T> client, WatchOptions options)
    {
        try
        {
            await foreach (var e in client.WatchAsync(options, _stop.Token))
            {
                lock (_events)
                {
                    _events.Add((_clock.Elapsed, e));
                    _changed.TrySetResult();
                    _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
            // Stopped while connecting.
        }
        _stop.Dispose();
    }
}
