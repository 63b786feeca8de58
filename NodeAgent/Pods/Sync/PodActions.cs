using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>What the planner reads for one pod: the pod as desired, its containers as the engine lists them, what the agent remembers, probe results and the clock.</summary>
/// <param name="Containers">Every instance of the pod's containers the engine has (any state).</param>
/// <param name="Probes">Probe results by container id; a container without an entry has proved nothing yet.</param>
/// <param name="PresentImages">Which of <see cref="PodActionsPlanner.ImagesToCheck"/> the engine has.</param>
public sealed record PodSyncInput(
    Pod Pod,
    IReadOnlyList<ContainerInfo> Containers,
    PodMemory Memory,
    IReadOnlyDictionary<string, ContainerProbeStatus> Probes,
    IReadOnlySet<string> PresentImages,
    DateTimeOffset Now);

/// <summary>
/// The planner's answer for one pod: the actions for this pass, in order; what each container's observation is for
/// the status (before the actions; the executor updates those it changes); and the restart back-off to remember.
/// </summary>
/// <param name="ReportStatus">False while the pod is being deleted: its status is no longer written.</param>
public sealed record PodPlan(
    ImmutableList<PodAction> Actions,
    ImmutableList<ContainerObservation> Containers,
    ImmutableDictionary<string, RestartBackoff> Restarts,
    bool ReportStatus);

/// <summary>One thing the executor does to a pod's containers.</summary>
public abstract record PodAction;

/// <summary>
/// Creates and starts attempt <paramref name="Attempt"/> of a container, pulling its image first when
/// <paramref name="Pull"/>. <paramref name="Replacing"/> is the exited instance it follows (kept for lastState and
/// logs --previous), null for the first.
/// </summary>
public sealed record StartContainer(Container Spec, int Attempt, bool Pull, ContainerInfo? Replacing) : PodAction;

/// <summary>Starts an instance that was created but never started (the agent stopped in between).</summary>
public sealed record StartCreated(Container Spec, ContainerInfo Instance) : PodAction;

public enum KillReason { SpecChanged, LivenessFailed }

/// <summary>Stops a running instance within the pod's grace period, beside the loop; a later pass restarts it by policy.</summary>
/// <param name="Message">The Killing event's message, as the kubelet's.</param>
/// <param name="Why">Why, for the agent's log.</param>
public sealed record KillContainer(Container Spec, ContainerInfo Instance, KillReason Reason, string Message, string Why) : PodAction;

/// <summary>Removes an old instance that is no longer needed (older than the one before the current).</summary>
public sealed record RemoveContainer(ContainerInfo Instance) : PodAction;

/// <summary>Graceful deletion of the whole pod beside the loop: stop every container, remove them, confirm the deletion.</summary>
public sealed record TerminatePod(ImmutableList<ContainerInfo> Instances) : PodAction;

/// <summary>The lasting states that are reported once per occurrence.</summary>
public enum LastingEvent { NeverPull, PullBackOff, CrashLoopBackOff }

/// <summary>Records the event for a lasting state; the token is remembered so the same occurrence is not reported again.</summary>
public sealed record ReportEvent(Container Spec, LastingEvent Event, ReportKey Key, string Token) : PodAction;
