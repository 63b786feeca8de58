using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.DaemonSets;

/// <summary>
/// One pass's plan for a DaemonSet: the nodes to give a new pod (from the current template), the pods to delete, the
/// status, the failed-pod back-off to keep, and when to look again (a back-off or a minReadySeconds ending).
/// </summary>
public sealed record DaemonSetSync(
    IReadOnlyList<string> NodesToCreate,
    IReadOnlyList<DaemonPodDeletion> ToDelete,
    DaemonSetStatus Status,
    ImmutableDictionary<string, FailedPodBackoff> Backoff,
    DateTimeOffset? RecheckAt)
{
    public bool HasActions => NodesToCreate.Count > 0 || ToDelete.Count > 0;

    /// <summary>Every node that should run the pod runs an available, up-to-date one, and no pod runs where it should not.</summary>
    public bool Converged =>
        !HasActions && Status.NumberMisscheduled == 0
        && Status.UpdatedNumberScheduled == Status.DesiredNumberScheduled && Status.NumberAvailable == Status.DesiredNumberScheduled;
}

/// <summary>
/// A pod to delete. <see cref="Force"/>: its node is gone, so no agent will confirm the stop (kube's pod GC deletes such
/// pods at once). <see cref="FailedOnNode"/>: a failed pod, reported with a FailedDaemonPod event.
/// </summary>
public sealed record DaemonPodDeletion(Pod Pod, bool Force = false, string? FailedOnNode = null);

/// <summary>
/// The back-off for deleting failed pods on one node (kube's failedPodsBackoff): a pod that keeps failing there is
/// replaced after 1 s, 2 s, 4 s, … up to 15 minutes, so the controller does not fight a node that rejects it.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.FailedPodBackoff")]
public sealed record FailedPodBackoff([property: Id(0)] TimeSpan Delay, [property: Id(1)] DateTimeOffset Since)
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(15);

    public DateTimeOffset Until => Since + Delay;

    /// <summary>The back-off after one more failure at <paramref name="now"/> (flowcontrol.Backoff.Next).</summary>
    public static FailedPodBackoff Next(FailedPodBackoff? previous, DateTimeOffset now) =>
        previous is null || previous.Expired(now)
            ? new FailedPodBackoff(Initial, now)
            : new FailedPodBackoff(TimeSpan.FromTicks(Math.Min(previous.Delay.Ticks * 2, Max.Ticks)), now);

    /// <summary>Quiet for twice the maximum: the next failure starts from the beginning again.</summary>
    public bool Expired(DateTimeOffset now) => now - Since > 2 * Max;
}
