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
public sealed partial class PodTerminator(IContainerRuntime runtime, ContainerStopper stopper, ControlPlaneLink link, ControlPlaneRefusals refusals, TimeProvider time,
    ILogger<PodTerminator> logger)
{
    /// <summary>True when the pod is gone for good (confirmed, or already gone); false to retry on a later pass.</summary>
    public async Task<bool> TerminateAsync(Pod pod, IReadOnlyList<ContainerInfo> instances, CancellationToken ct)
    {
        var uid = pod.Metadata.Uid!;
        try
        {
            var grace = pod.Metadata.DeletionTimestamp is { } deletion ? deletion - time.GetUtcNow() : GracePeriod(pod);
            if (grace < TimeSpan.Zero)
                grace = TimeSpan.Zero;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(grace + TimeSpan.FromMinutes(1));
            var deadline = time.GetUtcNow() + grace;
            // App containers first, together; then the sidecars one by one in reverse order, within what is left of
            // the grace period, as the kubelet stops them (a sidecar outlives the containers it serves).
            var specs = (pod.Spec.Containers ?? []).Concat(pod.Spec.InitContainers ?? []).ToDictionary(c => c.Name, StringComparer.Ordinal);
            var running = instances.Where(c => c.State == ContainerRunState.Running)
                .Select(c => (Instance: c, Spec: specs.GetValueOrDefault(ContainerNaming.Label(c, ContainerLabels.Container) ?? "")))
                .ToList();
            var sidecarOrder = (pod.Spec.InitContainers ?? []).Where(PodActionsPlanner.IsSidecar).Select(c => c.Name).ToList();
            var apps = running.Where(r => r.Spec is null || !sidecarOrder.Contains(r.Spec.Name)).ToList();
            await Task.WhenAll(apps.Select(r => StopAsync(pod, r.Instance, r.Spec, deadline, cts.Token)));
            foreach (var name in Enumerable.Reverse(sidecarOrder))
            {
                foreach (var (instance, spec) in running.Where(r => r.Spec?.Name == name))
                    await StopAsync(pod, instance, spec, deadline, cts.Token);
            }
            await Task.WhenAll(instances.Select(c => runtime.RemoveAsync(c.Id, cts.Token)));
            LogTerminated(logger, PodSyncExecutor.Key(pod), instances.Count);
            // No control plane now: the next pass retries the confirmation.
            if (link.Client is not { } client)
                return false;
            await refusals.CallAsync(AgentCall.ConfirmPodDeletion, uid,
                () => client.Pods.DeleteAsync(pod.Metadata.Namespace, pod.Metadata.Name!, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = uid }, ct));
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

    /// <summary>preStop, SIGTERM, then SIGKILL at <paramref name="deadline"/> (the pod's grace period, shared by its containers).</summary>
    private Task StopAsync(Pod pod, ContainerInfo instance, Container? spec, DateTimeOffset deadline, CancellationToken ct) =>
        stopper.StopAsync(pod, spec, instance, deadline, spec is null ? null : $"Stopping container {spec.Name}", ct);

    public static TimeSpan GracePeriod(Pod pod) => TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Pod}: stopped and removed {Count} containers; deletion confirmed")]
    private static partial void LogTerminated(ILogger logger, string pod, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: termination did not complete ({Reason}); retrying")]
    private static partial void LogTerminateFailed(ILogger logger, string pod, string reason);
}
