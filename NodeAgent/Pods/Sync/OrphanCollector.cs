using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// Removes containers whose pod is no longer bound here. A container created before the full desired state was read
/// belonged to a pod that state would show if it were still bound here, so it goes at once: its pod was deleted (or
/// evicted and replaced elsewhere) while this agent was away. Any other goes after a grace period, since a pod
/// notified after the read may be missing from it. Removals run beside the loop, one per container id, and are
/// awaited on shutdown.
/// </summary>
public sealed partial class OrphanCollector(IContainerRuntime runtime, IOptions<AgentSettings> settings, TimeProvider time,
    ILogger<OrphanCollector> logger)
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _since = new(StringComparer.Ordinal);
    // Removals under way, by container id: passes may still list those containers and must not take them for new orphans.
    private readonly Dictionary<string, Task> _removing = new(StringComparer.Ordinal);
    // Removed ones, until no pass lists them any more (a pass may have listed them just before).
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);

    /// <summary>Removals running beside the loop.</summary>
    public IReadOnlyList<Task> Work()
    {
        lock (_lock)
            return [.. _removing.Values];
    }

    /// <param name="keep">Pod uids whose containers stay: wanted here, or being terminated.</param>
    /// <param name="desiredReadAt">When the read of the full desired state began; null: unknown, every orphan waits the grace.</param>
    public void Collect(IReadOnlyList<ContainerInfo> containers, IReadOnlySet<string> keep, DateTimeOffset? desiredReadAt, CancellationToken stopping)
    {
        var now = time.GetUtcNow();
        var grace = settings.Value.OrphanGracePeriod;
        lock (_lock)
        {
            var listed = containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _since.Keys.Where(id => !listed.Contains(id)).ToList())
                _since.Remove(gone);
            _removed.IntersectWith(listed);
            foreach (var c in containers)
            {
                if (keep.Contains(ContainerNaming.Label(c, ContainerLabels.PodUid) ?? ""))
                {
                    _since.Remove(c.Id);
                    continue;
                }
                if (_removing.ContainsKey(c.Id) || _removed.Contains(c.Id))
                    continue;
                if (c.CreatedAt is { } created && desiredReadAt is { } readAt && created < readAt)
                {
                    LogGoneWhileAway(logger, c.Name);
                }
                else
                {
                    if (!_since.TryGetValue(c.Id, out var since))
                    {
                        _since[c.Id] = since = now;
                        LogOrphanSeen(logger, c.Name, grace);
                    }
                    if (now - since < grace)
                        continue;
                }
                _since.Remove(c.Id);
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _removing[c.Id] = done.Task;
                _ = RemoveAsync(c, done, stopping);
            }
        }
    }

    private async Task RemoveAsync(ContainerInfo c, TaskCompletionSource done, CancellationToken stopping)
    {
        try
        {
            await runtime.StopAsync(c.Id, StopGrace, stopping);
            await runtime.RemoveAsync(c.Id, stopping);
            LogOrphanRemoved(logger, c.Name);
            lock (_lock)
                _removed.Add(c.Id);
        }
        catch (Exception e) when (e is RuntimeException || (e is OperationCanceledException && stopping.IsCancellationRequested))
        {
            LogOrphanRemoveFailed(logger, c.Name, e.Message);
        }
        finally
        {
            // Seen again by a later pass if it is still there, and retried after the grace.
            lock (_lock)
                _removing.Remove(c.Id);
            done.SetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {Container} belongs to no pod bound here; removing it after {Grace}")]
    private static partial void LogOrphanSeen(ILogger logger, string container, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {Container} predates the desired state, which no longer binds its pod here (deleted or evicted while the agent was away); removing it now")]
    private static partial void LogGoneWhileAway(ILogger logger, string container);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed orphaned container {Container}")]
    private static partial void LogOrphanRemoved(ILogger logger, string container);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove orphaned container {Container}: {Reason}")]
    private static partial void LogOrphanRemoveFailed(ILogger logger, string container, string reason);
}
