using Granary.Model;

namespace Granary.Printing;

/// <summary>
/// The computed pod columns kubectl prints (its printPod): shared by the CLI's tables and the API's server-side
/// Tables, so both read the same. Pure: the same pod and time give the same text.
/// </summary>
public static class PodColumns
{
    private const string NodeLostReason = "NodeLost";

    /// <summary>Ready containers (ready and running) over the containers in the spec.</summary>
    public static string Ready(Pod pod)
    {
        var total = pod.Spec.Containers?.Count ?? 0;
        var ready = pod.Status?.ContainerStatuses?.Count(c => c.Ready && c.State?.Running is not null) ?? 0;
        return $"{ready}/{total}";
    }

    /// <summary>
    /// kubectl's STATUS: the phase, replaced by status.reason, replaced by the first container's waiting or
    /// terminated reason; "Terminating" while a non-terminal pod is being deleted. A pod without a phase is Pending.
    /// </summary>
    public static string Status(Pod pod)
    {
        var status = pod.Status;
        var phase = string.IsNullOrEmpty(status?.Phase) ? "Pending" : status.Phase;
        var reason = string.IsNullOrEmpty(status?.Reason) ? phase : status.Reason;

        var hasRunning = false;
        var containers = status?.ContainerStatuses ?? [];
        // From the last container to the first, so that the first container's reason is the one shown.
        for (var i = containers.Count - 1; i >= 0; i--)
        {
            var c = containers[i];
            var state = c.State;
            if (state?.Waiting is { Reason: { Length: > 0 } waiting })
                reason = waiting;
            else if (state?.Terminated is { Reason: { Length: > 0 } terminated })
                reason = terminated;
            else if (state?.Terminated is { } t)
                reason = t.Signal is { } signal and not 0 ? $"Signal:{signal}" : $"ExitCode:{t.ExitCode}";
            else if (c.Ready && state?.Running is not null)
                hasRunning = true;
        }

        // A container still running outweighs one that completed.
        if (reason == "Completed" && hasRunning)
            reason = status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? "Running" : "NotReady";

        if (pod.Metadata.DeletionTimestamp is not null && status?.Reason == NodeLostReason)
            reason = "Unknown";
        else if (pod.Metadata.DeletionTimestamp is not null && phase is not ("Succeeded" or "Failed"))
            reason = "Terminating";
        return reason;
    }

    /// <summary>The sum of container restarts, with the age of the last one as kubectl shows it: <c>3 (5m ago)</c>.</summary>
    public static string Restarts(Pod pod, DateTimeOffset now)
    {
        var containers = pod.Status?.ContainerStatuses ?? [];
        var restarts = containers.Sum(c => c.RestartCount);
        var last = containers.Select(c => c.LastState?.Terminated?.FinishedAt).Max();
        return restarts != 0 && last is { } at ? $"{restarts} ({HumanDuration.Format(now - at)} ago)" : $"{restarts}";
    }
}
