using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Runtime;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// Graceful deletion of one pod: SIGTERM to its running containers, the grace period, SIGKILL, remove; then the
/// control plane is told the pod object may go (a second delete with no grace, for this uid only).
/// </summary>
public sealed partial class PodTerminator(IContainerRuntime runtime, ControlPlaneLink link, PodEvents events, TimeProvider time,
    ILogger<PodTerminator> logger)
{
    /// <summary>True when the pod is gone for good (confirmed, or already gone); false to retry on a later pass.</summary>
    public async Task<bool> TerminateAsync(Pod pod, IReadOnlyList<ContainerInfo> instances, CancellationToken ct)
    {
        var uid = pod.Metadata.Uid!;
        try
        {
            var grace = pod.Metadata.DeletionTimestamp is { } deadline ? deadline - time.GetUtcNow() : GracePeriod(pod);
            if (grace < TimeSpan.Zero)
                grace = TimeSpan.Zero;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(grace + TimeSpan.FromMinutes(1));
            var running = instances.Where(c => c.State == ContainerRunState.Running).ToList();
            foreach (var container in running)
            {
                if (pod.Spec.Containers?.FirstOrDefault(c => c.Name == ContainerNaming.Label(container, ContainerLabels.Container)) is { } spec)
                    events.Killing(pod, spec, $"Stopping container {spec.Name}");
            }
            await Task.WhenAll(running.Select(c => runtime.StopAsync(c.Id, grace, cts.Token)));
            await Task.WhenAll(instances.Select(c => runtime.RemoveAsync(c.Id, cts.Token)));
            LogTerminated(logger, PodSyncExecutor.Key(pod), instances.Count);
            // No control plane now: the next pass retries the confirmation.
            if (link.Client is not { } client)
                return false;
            await client.Pods.DeleteAsync(pod.Metadata.Namespace, pod.Metadata.Name!, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = uid }, ct);
            return true;
        }
        catch (NotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is RuntimeException or OrleansException or GranaryException or OperationCanceledException)
        {
            LogTerminateFailed(logger, PodSyncExecutor.Key(pod), e.Message);
            return false;
        }
    }

    public static TimeSpan GracePeriod(Pod pod) => TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Pod}: stopped and removed {Count} containers; deletion confirmed")]
    private static partial void LogTerminated(ILogger logger, string pod, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: termination did not complete ({Reason}); retrying")]
    private static partial void LogTerminateFailed(ILogger logger, string pod, string reason);
}
