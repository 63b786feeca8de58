using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods;

/// <summary>What the agent knows about one container of a pod, for building the pod's status.</summary>
public sealed record ContainerObservation(
    string Name,
    ContainerInfo? Current,
    ContainerInfo? Previous,
    ContainerStateWaiting? Waiting,
    bool Ready,
    bool Started,
    string Image);

/// <summary>
/// The pod's status from what the agent observed, with the kubelet's rules for phase, container states and
/// conditions. Pure: the same observations give the same status, so unchanged pods produce no writes.
/// </summary>
public static class PodStatusBuilder
{
    /// <param name="runtime">The driver's name, the scheme of containerID ("docker://…").</param>
    public static PodStatus Build(Pod pod, IReadOnlyList<ContainerObservation> containers, string runtime, string podIp, string hostIp,
        PodStatus? previous, DateTimeOffset now)
    {
        var statuses = containers.Select(c => ContainerStatusOf(c, runtime)).ToImmutableList();
        var phase = PhaseOf(pod.Spec.RestartPolicy ?? "Always", statuses, previous?.Phase);
        var allReady = statuses.Count > 0 && statuses.All(s => s.Ready) && phase == "Running";
        var conditions = ImmutableList.Create(
            Condition("Initialized", true, previous, now),
            Condition("Ready", allReady, previous, now),
            Condition("ContainersReady", allReady, previous, now));
        return new PodStatus
        {
            Phase = phase,
            Conditions = conditions,
            ContainerStatuses = statuses,
            HostIP = hostIp,
            PodIP = podIp,
            StartTime = previous?.StartTime ?? Truncate(now),
        };
    }

    public static ContainerStatus ContainerStatusOf(ContainerObservation o, string runtime) => new()
    {
        Name = o.Name,
        Image = o.Image,
        ImageID = o.Current?.ImageId ?? "",
        ContainerID = o.Current is null ? null : $"{runtime}://{o.Current.Id}",
        Ready = o.Ready && o.Current?.State == ContainerRunState.Running,
        Started = o.Current?.State == ContainerRunState.Running && o.Started,
        RestartCount = o.Current is null ? 0 : ContainerNaming.AttemptOf(o.Current),
        State = o.Waiting is not null ? new ContainerState { Waiting = o.Waiting } : StateOf(o.Current, runtime),
        LastState = o.Waiting is not null && o.Current is { State: ContainerRunState.Exited } ? StateOf(o.Current, runtime) : StateOf(o.Previous, runtime),
    };

    /// <remarks>
    /// Times are whole seconds, as the kubelet's metav1.Time: the engine's nanoseconds would not survive storage
    /// (JSON keeps microseconds), so a get and a watch of the same version would disagree.
    /// </remarks>
    public static ContainerState? StateOf(ContainerInfo? c, string runtime) => c?.State switch
    {
        null => null,
        ContainerRunState.Running => new ContainerState { Running = new ContainerStateRunning { StartedAt = Truncate(c.StartedAt) } },
        ContainerRunState.Exited => new ContainerState
        {
            Terminated = new ContainerStateTerminated
            {
                ExitCode = c.ExitCode ?? 0,
                Reason = c.OomKilled ? "OOMKilled" : c.ExitCode == 0 ? "Completed" : "Error",
                Message = c.Error,
                StartedAt = Truncate(c.StartedAt),
                FinishedAt = Truncate(c.FinishedAt),
                ContainerID = $"{runtime}://{c.Id}",
            },
        },
        _ => new ContainerState { Waiting = new ContainerStateWaiting { Reason = "ContainerCreating" } },
    };

    /// <summary>The kubelet's getPhase: pending, running, or finished for good (restart policy decides).</summary>
    public static string PhaseOf(string restartPolicy, IReadOnlyList<ContainerStatus> statuses, string? previousPhase)
    {
        // A pod that finished stays finished: its containers are not restarted.
        if (previousPhase is "Succeeded" or "Failed")
            return previousPhase;
        int pending = 0, running = 0, succeeded = 0, failed = 0;
        foreach (var s in statuses)
        {
            if (s.State?.Running is not null)
                running++;
            else if (s.State?.Terminated is { } t)
            {
                if (t.ExitCode == 0)
                    succeeded++;
                else
                    failed++;
            }
            else if (s.LastState?.Terminated is not null)
                running++; // waiting to restart after a run: the pod is still running
            else
                pending++;
        }
        if (pending > 0 || statuses.Count == 0)
            return "Pending";
        if (running > 0)
            return "Running";
        return restartPolicy switch
        {
            "Always" => "Running",
            "OnFailure" when failed > 0 => "Running",
            _ when failed == 0 => "Succeeded",
            _ => "Failed",
        };
    }

    private static PodCondition Condition(string type, bool value, PodStatus? previous, DateTimeOffset now)
    {
        var status = value ? "True" : "False";
        var old = previous?.Conditions?.FirstOrDefault(c => c.Type == type);
        return new PodCondition
        {
            Type = type,
            Status = status,
            Reason = value || type == "Initialized" ? null : "ContainersNotReady",
            LastTransitionTime = old?.Status == status ? old.LastTransitionTime : Truncate(now),
        };
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static DateTimeOffset? Truncate(DateTimeOffset? t) => t is { } time ? Truncate(time) : null;
}
