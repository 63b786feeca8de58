using Granary.Model;

namespace Granary.Printing;

/// <summary>
/// The computed pod columns kubectl prints (its printPod): shared by the CLI's tables and the API's server-side
/// Tables, so both read the same. Pure: the same pod and time give the same text.
/// </summary>
public static class PodColumns
{
    private const string NodeLostReason = "NodeLost";

    /// <summary>Ready containers (ready and running) over the containers in the spec; sidecars count among them, as in kubectl.</summary>
    public static string Ready(Pod pod)
    {
        var sidecars = Sidecars(pod);
        var total = (pod.Spec.Containers?.Count ?? 0) + sidecars.Count;
        var ready = (pod.Status?.ContainerStatuses?.Count(c => c.Ready && c.State?.Running is not null) ?? 0)
            + (pod.Status?.InitContainerStatuses?.Count(c => sidecars.Contains(c.Name) && c.Started == true && c.Ready) ?? 0);
        return $"{ready}/{total}";
    }

    /// <summary>The init containers with restartPolicy Always (sidecars), by name.</summary>
    private static HashSet<string> Sidecars(Pod pod) =>
        (pod.Spec.InitContainers ?? []).Where(c => c.RestartPolicy == "Always").Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// kubectl's STATUS: the phase, replaced by status.reason; while init containers run, <c>Init:1/2</c> or the
    /// first unfinished one's reason (<c>Init:Error</c>, <c>Init:CrashLoopBackOff</c>); then the first container's
    /// waiting or terminated reason (<c>PodInitializing</c> just after); "Terminating" while a non-terminal pod is
    /// being deleted. A pod without a phase is Pending.
    /// </summary>
    public static string Status(Pod pod)
    {
        var status = pod.Status;
        var phase = string.IsNullOrEmpty(status?.Phase) ? "Pending" : status.Phase;
        var reason = string.IsNullOrEmpty(status?.Reason) ? phase : status.Reason;

        var (initReason, initializing) = InitStatus(pod);
        reason = initReason ?? reason;
        var initialized = status?.Conditions?.Any(c => c.Type == "Initialized" && c.Status == "True") == true;
        if (initializing && !initialized)
            return Terminating(pod, reason, phase);

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

        return Terminating(pod, reason, phase);
    }

    private static string Terminating(Pod pod, string reason, string phase)
    {
        if (pod.Metadata.DeletionTimestamp is not null && pod.Status?.Reason == NodeLostReason)
            return "Unknown";
        if (pod.Metadata.DeletionTimestamp is not null && phase is not ("Succeeded" or "Failed"))
            return "Terminating";
        return reason;
    }

    /// <summary>kubectl's init container pass: the reason of the first init container not done, and whether one is not.</summary>
    private static (string? Reason, bool Initializing) InitStatus(Pod pod)
    {
        var sidecars = Sidecars(pod);
        var statuses = pod.Status?.InitContainerStatuses ?? [];
        var total = pod.Spec.InitContainers?.Count ?? 0;
        for (var i = 0; i < statuses.Count; i++)
        {
            var c = statuses[i];
            var state = c.State;
            if (state?.Terminated is { ExitCode: 0 })
                continue;
            if (sidecars.Contains(c.Name) && c.Started == true)
                continue;
            if (state?.Terminated is { } t)
            {
                var why = !string.IsNullOrEmpty(t.Reason) ? t.Reason
                    : t.Signal is { } signal and not 0 ? $"Signal:{signal}" : $"ExitCode:{t.ExitCode}";
                return ($"Init:{why}", true);
            }
            if (state?.Waiting is { Reason: { Length: > 0 } waiting } && waiting != "PodInitializing")
                return ($"Init:{waiting}", true);
            return ($"Init:{i}/{total}", true);
        }
        return (null, false);
    }

    /// <summary>
    /// The sum of container restarts, with the age of the last one as kubectl shows it: <c>3 (5m ago)</c>. While init
    /// containers run, theirs; after, the app containers' and the sidecars'.
    /// </summary>
    public static string Restarts(Pod pod, DateTimeOffset now)
    {
        var (_, initializing) = InitStatus(pod);
        var initialized = pod.Status?.Conditions?.Any(c => c.Type == "Initialized" && c.Status == "True") == true;
        var sidecars = Sidecars(pod);
        var init = pod.Status?.InitContainerStatuses ?? [];
        IEnumerable<ContainerStatus> containers = initializing && !initialized
            ? init
            : (pod.Status?.ContainerStatuses ?? []).Concat(init.Where(c => sidecars.Contains(c.Name)));
        var restarts = containers.Sum(c => c.RestartCount);
        var last = containers.Select(c => c.LastState?.Terminated?.FinishedAt).Max();
        return restarts != 0 && last is { } at ? $"{restarts} ({HumanDuration.Format(now - at)} ago)" : $"{restarts}";
    }
}
