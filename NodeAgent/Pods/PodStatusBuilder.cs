using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Pods.Sync;
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
    string Image)
{
    /// <summary>Termination messages read after exit, by container id (terminationMessagePath or the log tail).</summary>
    public ImmutableDictionary<string, string> Messages { get; init; } = ImmutableDictionary<string, string>.Empty;
}

/// <summary>Everything observed of a pod in one pass, as the status is built from it.</summary>
/// <param name="Initialized">Every init container done (regular ones completed, sidecars started).</param>
/// <param name="Failure">The pod failed as a whole (its deadline ran out).</param>
public sealed record PodObservation(
    IReadOnlyList<ContainerObservation> Containers,
    IReadOnlyList<ContainerObservation> InitContainers,
    bool Initialized,
    PodSandbox Sandbox,
    PodFailure? Failure = null);

/// <summary>
/// The pod's status from what the agent observed, with the kubelet's rules for phase, container states and
/// conditions. Pure: the same observations give the same status, so unchanged pods produce no writes.
/// </summary>
public static class PodStatusBuilder
{
    /// <param name="runtime">The driver's name, the scheme of containerID ("docker://…").</param>
    public static PodStatus Build(Pod pod, PodObservation observed, string runtime, PodStatus? previous, DateTimeOffset now)
    {
        var statuses = observed.Containers.Select(c => ContainerStatusOf(c, runtime)).ToImmutableList();
        // An init container whose instance is gone (removed by hand after it completed) keeps the status it had.
        var initStatuses = observed.InitContainers.Select(c => ContainerStatusOf(c, runtime))
            .Select(s => s.State is null && previous?.InitContainerStatuses?.FirstOrDefault(p => p.Name == s.Name) is { State: not null } known ? known : s)
            .ToImmutableList();
        var phase = PhaseOf(pod, statuses, initStatuses, observed.Initialized, previous?.Phase, observed.Failure);

        var sidecars = (pod.Spec.InitContainers ?? []).Where(PodActionsPlanner.IsSidecar).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var unready = initStatuses.Where(s => sidecars.Contains(s.Name) && !s.Ready).Concat(statuses.Where(s => !s.Ready)).Select(s => s.Name).ToList();
        var allReady = statuses.Count > 0 && unready.Count == 0 && phase == PodReasons.Running;
        var notInitialized = observed.Initialized ? [] : initStatuses
            .Where(s => !sidecars.Contains(s.Name) && s.State?.Terminated is not { ExitCode: 0 })
            .Select(s => s.Name).ToList();
        var readyMessage = allReady ? null : $"containers with unready status: [{string.Join(' ', unready)}]";
        var conditions = ImmutableList.Create(
            // The pod's sandbox (here: its address) is set up before any status is built.
            Condition(PodReasons.PodReadyToStartContainers, true, null, null, previous, now),
            Condition(PodReasons.Initialized, observed.Initialized, "ContainersNotInitialized",
                $"containers with incomplete status: [{string.Join(' ', notInitialized)}]", previous, now),
            Condition(PodReasons.Ready, allReady, "ContainersNotReady", readyMessage, previous, now),
            Condition(PodReasons.ContainersReady, allReady, "ContainersNotReady", readyMessage, previous, now));
        var sandbox = observed.Sandbox;
        return new PodStatus
        {
            Phase = phase,
            Conditions = conditions,
            ContainerStatuses = statuses,
            InitContainerStatuses = initStatuses.Count == 0 ? null : initStatuses,
            HostIP = sandbox.HostIp,
            HostIPs = [new HostIP { Ip = sandbox.HostIp }],
            PodIP = sandbox.PodIp,
            PodIPs = [new PodIP { Ip = sandbox.PodIp }],
            StartTime = previous?.StartTime ?? Truncate(now),
            // Set by the Pod grain when the pod was created, from its resources; the agent keeps it.
            QosClass = previous?.QosClass ?? pod.Status?.QosClass,
            Reason = observed.Failure?.Reason ?? previous?.Reason,
            Message = observed.Failure?.Message ?? previous?.Message,
        };
    }

    public static ContainerStatus ContainerStatusOf(ContainerObservation o, string runtime) => new()
    {
        Name = o.Name,
        Image = o.Image,
        // Required in core/v1 (an empty string until there is an instance), as the kubelet writes it.
        ImageID = o.Current?.ImageRef ?? "",
        ContainerID = o.Current is null ? null : $"{runtime}://{o.Current.Id}",
        Ready = o.Ready && o.Current?.State == ContainerRunState.Running,
        Started = o.Current?.State == ContainerRunState.Running && o.Started,
        RestartCount = o.Current is null ? 0 : ContainerNaming.AttemptOf(o.Current),
        State = o.Waiting is not null ? new ContainerState { Waiting = o.Waiting } : StateOf(o.Current, runtime, o.Messages),
        LastState = o.Waiting is not null && o.Current is { State: ContainerRunState.Exited }
            ? StateOf(o.Current, runtime, o.Messages)
            : StateOf(o.Previous, runtime, o.Messages) ?? new ContainerState(),
    };

    /// <remarks>
    /// Times are whole seconds, as the kubelet's metav1.Time: the engine's nanoseconds would not survive storage
    /// (JSON keeps microseconds), so a get and a watch of the same version would disagree.
    /// </remarks>
    public static ContainerState? StateOf(ContainerInfo? c, string runtime, IReadOnlyDictionary<string, string>? messages = null) => c?.State switch
    {
        null => null,
        ContainerRunState.Running => new ContainerState { Running = new ContainerStateRunning { StartedAt = Truncate(c.StartedAt) } },
        ContainerRunState.Exited => new ContainerState
        {
            Terminated = new ContainerStateTerminated
            {
                ExitCode = c.ExitCode ?? 0,
                Reason = c.OomKilled ? PodReasons.OomKilled : c.ExitCode == 0 ? PodReasons.Completed : PodReasons.Error,
                // The container's own message (terminationMessagePath) first, as the kubelet; else the engine's error.
                Message = messages?.GetValueOrDefault(c.Id) is { Length: > 0 } message ? message : c.Error,
                StartedAt = Truncate(c.StartedAt),
                FinishedAt = Truncate(c.FinishedAt),
                ContainerID = $"{runtime}://{c.Id}",
            },
        },
        _ => new ContainerState { Waiting = new ContainerStateWaiting { Reason = PodReasons.ContainerCreating } },
    };

    /// <summary>The kubelet's getPhase, with init containers: a failed one under Never fails the pod; until all are done the pod is Pending.</summary>
    public static string PhaseOf(Pod pod, IReadOnlyList<ContainerStatus> statuses, IReadOnlyList<ContainerStatus> initStatuses, bool initialized,
        string? previousPhase, PodFailure? failure = null)
    {
        // A pod that finished stays finished: its containers are not restarted.
        if (PodReasons.IsFinished(previousPhase))
            return previousPhase!;
        if (failure is not null)
            return PodReasons.Failed;
        var restartPolicy = pod.Spec.RestartPolicy ?? "Always";
        var sidecars = (pod.Spec.InitContainers ?? []).Where(PodActionsPlanner.IsSidecar).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var initFailed = initStatuses.Any(s => !sidecars.Contains(s.Name) && s.State?.Terminated is { ExitCode: not 0 });
        if (initFailed && restartPolicy == "Never")
            return PodReasons.Failed;
        if (!initialized)
            return PodReasons.Pending;
        return PhaseOf(restartPolicy, statuses, previousPhase);
    }

    /// <summary>The kubelet's getPhase over the app containers: pending, running, or finished for good (restart policy decides).</summary>
    public static string PhaseOf(string restartPolicy, IReadOnlyList<ContainerStatus> statuses, string? previousPhase)
    {
        if (PodReasons.IsFinished(previousPhase))
            return previousPhase!;
        int pending = 0, running = 0, failed = 0;
        foreach (var s in statuses)
        {
            if (s.State?.Running is not null)
                running++;
            else if (s.State?.Terminated is { } t)
            {
                if (t.ExitCode != 0)
                    failed++;
            }
            else if (s.LastState?.Terminated is not null)
                running++; // waiting to restart after a run: the pod is still running
            else
                pending++;
        }
        if (pending > 0 || statuses.Count == 0)
            return PodReasons.Pending;
        if (running > 0)
            return PodReasons.Running;
        return restartPolicy switch
        {
            "Always" => PodReasons.Running,
            "OnFailure" when failed > 0 => PodReasons.Running,
            _ when failed == 0 => PodReasons.Succeeded,
            _ => PodReasons.Failed,
        };
    }

    private static PodCondition Condition(string type, bool value, string? falseReason, string? falseMessage, PodStatus? previous, DateTimeOffset now)
    {
        var status = value ? "True" : "False";
        var old = previous?.Conditions?.FirstOrDefault(c => c.Type == type);
        return new PodCondition
        {
            Type = type,
            Status = status,
            Reason = value ? null : falseReason,
            Message = value ? null : falseMessage,
            LastTransitionTime = old?.Status == status ? old.LastTransitionTime : Truncate(now),
        };
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static DateTimeOffset? Truncate(DateTimeOffset? t) => t is { } time ? Truncate(time) : null;
}
