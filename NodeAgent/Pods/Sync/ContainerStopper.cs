using Granary.Model;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// Stops one container as the kubelet's killContainer: the preStop hook first, then SIGTERM, and SIGKILL once
/// the grace period (which the hook's time counts against) has run out.
/// </summary>
public sealed class ContainerStopper(IContainerRuntime runtime, LifecycleHooks hooks, PodEvents events, TimeProvider time)
{
    /// <param name="message">The Killing event's message; null for none.</param>
    public async Task StopAsync(Pod pod, Container? spec, ContainerInfo instance, DateTimeOffset deadline, string? message, CancellationToken ct)
    {
        if (spec is not null && message is not null)
            events.Killing(pod, spec, message);
        if (spec?.Lifecycle?.PreStop is { } preStop && instance.State == ContainerRunState.Running)
        {
            var left = deadline - time.GetUtcNow();
            if (left > TimeSpan.Zero && await hooks.RunAsync(preStop, pod, spec, instance, left, ct) is { } failure)
                events.FailedPreStopHook(pod, spec, failure);
        }
        var grace = deadline - time.GetUtcNow();
        await runtime.StopAsync(instance.Id, grace > TimeSpan.Zero ? grace : TimeSpan.Zero, ct);
    }
}
