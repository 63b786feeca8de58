using Granary.Api;
using Granary.Client;
using Granary.Model;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// Follows the pods of a namespace through one SDK watch and keeps the fewest healthy pods (ready, not being deleted)
/// seen since the first eviction, the way a disruption budget counts them. Tests wait on it for a state: each event
/// is a barrier, nothing polls.
/// </summary>
public sealed class PodTracker : IAsyncDisposable
{
    private readonly Dictionary<string, Pod> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PodTracker(GranaryClient client, string @namespace) =>
        _loop = Task.Run(() => FollowAsync(client, @namespace));

    /// <summary>The fewest healthy pods seen at once after the first pod was marked for eviction; null before that.</summary>
    public int? FewestHealthyAfterFirstEviction { get; private set; }

    public static bool IsHealthy(Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Waits until the pods satisfy <paramref name="done"/>; the timeout message names the phase and what was seen.</summary>
    public async Task<IReadOnlyList<Pod>> WaitAsync(Func<IReadOnlyList<Pod>, bool> done, TimeSpan timeout, string phase)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            List<Pod> pods;
            lock (_pods)
            {
                pods = [.. _pods.Values];
                changed = _changed.Task;
            }
            if (done(pods))
                return pods;
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"{phase}: not reached in {timeout.TotalSeconds:0}s; pods: "
                    + string.Join(", ", pods.Select(p => $"{p.Metadata.Name}@{p.Spec.NodeName}{(IsHealthy(p) ? " healthy" : "")}{(p.Metadata.DeletionTimestamp is null ? "" : " deleting")}")));
            }
            catch (Exception) when (_loop.IsFaulted)
            {
                await _loop;
            }
        }
    }

    private async Task FollowAsync(GranaryClient client, string @namespace)
    {
        await foreach (var e in client.Pods.WatchAsync(new WatchOptions { Namespace = @namespace }, _stop.Token))
        {
            TaskCompletionSource changed;
            lock (_pods)
            {
                var name = e.Object.Metadata.Name!;
                if (e.Type == WatchEventType.Deleted)
                    _pods.Remove(name);
                else
                    _pods[name] = e.Object;
                var evicting = FewestHealthyAfterFirstEviction is not null
                    || _pods.Values.Any(p => p.Status?.Conditions?.Any(c => c.Type == "DisruptionTarget") == true || p.Metadata.DeletionTimestamp is not null);
                if (evicting)
                    FewestHealthyAfterFirstEviction = Math.Min(FewestHealthyAfterFirstEviction ?? int.MaxValue, _pods.Values.Count(IsHealthy));
                changed = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            changed.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped as asked.
        }
        _stop.Dispose();
    }
}
