using Granary.Model;
using Granary.NodeAgent.Runtime.Docker;

namespace Granary.Tests.Integration.Agent;

/// <summary>Busybox pods for the agent tests, and short words for the states a pod goes through.</summary>
public static class PodStates
{
    public const string Ns = "default";

    /// <summary>A one-container pod running <c>sh -c <paramref name="script"/></c> in the fixture's busybox image.</summary>
    public static Pod Busybox(string name, string script, string? restartPolicy = null, long? gracePeriodSeconds = null,
        Func<Container, Container>? container = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = Ns },
        Spec = new PodSpec
        {
            RestartPolicy = restartPolicy,
            TerminationGracePeriodSeconds = gracePeriodSeconds,
            Containers = [(container ?? (c => c))(new Container
            {
                Name = "main",
                Image = BusyboxImage.Name,
                Command = ["sh", "-c", script],
            })],
        },
    };

    public static ContainerStatus? MainOf(Pod pod) => pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == "main");

    public static string? ConditionOf(Pod pod, string type) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status;

    public static bool IsRunningAndReady(Pod pod) =>
        pod.Status?.Phase == "Running" && ConditionOf(pod, "Ready") == "True" && MainOf(pod)?.State?.Running is not null;

    /// <summary>A container's state in a word: "running#0", "waiting:CrashLoopBackOff#1", "terminated:Error(1)#0" (# the restart count).</summary>
    public static string StateOf(ContainerStatus? status) => status switch
    {
        null => "none",
        { State.Running: not null } => $"running#{status.RestartCount}",
        { State.Waiting: { } w } => $"waiting:{w.Reason}#{status.RestartCount}",
        { State.Terminated: { } t } => $"terminated:{t.Reason}({t.ExitCode})#{status.RestartCount}",
        _ => $"unknown#{status.RestartCount}",
    };

    /// <summary>One line for failure messages: version, phase, readiness, deletion and the container's state.</summary>
    public static string Summary(Pod pod)
    {
        var main = MainOf(pod);
        var last = main?.LastState?.Terminated is { } t ? $" last=terminated:{t.Reason}({t.ExitCode})" : "";
        var waiting = main?.State?.Waiting?.Message is { } m ? $" \"{m}\"" : "";
        var deleting = pod.Metadata.DeletionTimestamp is null ? "" : " deleting";
        return $"rv={pod.Metadata.ResourceVersion} node={pod.Spec.NodeName ?? "-"} phase={pod.Status?.Phase ?? "-"} ready={ConditionOf(pod, "Ready") ?? "-"}"
            + $"{deleting} ip={pod.Status?.PodIP ?? "-"} main={StateOf(main)}{last}{waiting}";
    }

    /// <summary>The distinct container states in the order seen (a state repeated by later writes counts once).</summary>
    public static List<string> Sequence(IEnumerable<Pod> versions)
    {
        var sequence = new List<string>();
        foreach (var state in versions.Select(p => StateOf(MainOf(p))))
        {
            if (sequence.Count == 0 || sequence[^1] != state)
                sequence.Add(state);
        }
        return sequence;
    }
}
