using System.Collections.Immutable;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.StatefulSets;

/// <summary>A pod template revision: its name (the ControllerRevision's, also the pods' controller-revision-hash) and template.</summary>
public sealed record StatefulSetRevision(string Name, PodTemplateSpec Template);

/// <summary>One thing a StatefulSet sync does, in the order the plan lists them.</summary>
public abstract record StatefulSetAction;

/// <summary>Create a claim of a pod about to be created (or of a pending pod that lost it).</summary>
public sealed record CreateClaim(PersistentVolumeClaim Claim, string PodName) : StatefulSetAction;

/// <summary>Give a claim the owners its retention policy asks for.</summary>
public sealed record SetClaimOwners(PersistentVolumeClaim Claim, ImmutableList<OwnerReference>? Owners) : StatefulSetAction;

public sealed record CreatePod(Pod Pod) : StatefulSetAction;

/// <summary>Delete a pod: it finished (it is made again), it is beyond the replicas, or it is of an old revision.</summary>
public sealed record DeletePod(Pod Pod, string Why) : StatefulSetAction;

/// <summary>What one StatefulSet sync does: the actions in order, the status to write, and when to look again.</summary>
public sealed record StatefulSetSync(ImmutableList<StatefulSetAction> Actions, StatefulSetStatus Status, DateTimeOffset? RecheckAt, bool Settled);

/// <summary>
/// The StatefulSet controller's decision, without side effects (kube's defaultStatefulSetControl.updateStatefulSet):
/// pods "&lt;set&gt;-&lt;ordinal&gt;" for every ordinal in [start, start + replicas), each made from the current revision
/// below the partition and from the update revision above it; finished pods deleted to be made again; pods beyond the
/// range deleted from the highest ordinal down; then a rolling update that deletes the highest pod not of the update
/// revision and waits for it to come back healthy. OrderedReady does one step at a time and waits for every pod
/// before it to be Running, Ready and available; Parallel does every step of a pass at once.
/// </summary>
public static class StatefulSetPlanner
{
    public const string WhyFinished = "finished";
    public const string WhyScaleDown = "scale down";
    public const string WhyUpdate = "update";

    // Pod phases as kube's controllers test them.
    private const string Pending = "Pending";
    private const string Running = "Running";
    private const string Succeeded = "Succeeded";
    private const string Failed = "Failed";

    /// <param name="set">The set, defaulted.</param>
    /// <param name="current">The revision its pods had when the last rolling update completed.</param>
    /// <param name="update">The revision of its template now.</param>
    /// <param name="pods">The pods it controls (any state, terminating ones too).</param>
    /// <param name="claims">The claims of its namespace by name (only those of its templates matter).</param>
    public static StatefulSetSync Plan(StatefulSet set, StatefulSetRevision current, StatefulSetRevision update, int? collisionCount,
        IReadOnlyList<Pod> pods, IReadOnlyDictionary<string, PersistentVolumeClaim> claims, DateTimeOffset now)
    {
        var setName = set.Metadata.Name!;
        var start = StatefulSetIdentity.StartOrdinal(set);
        var count = set.Spec.Replicas ?? 1;
        var minReady = set.Spec.MinReadySeconds ?? 0;
        var slots = new Pod?[count];
        var condemned = new List<(Pod Pod, int Ordinal)>();
        foreach (var pod in pods)
        {
            if (StatefulSetIdentity.Ordinal(setName, pod.Metadata.Name) is not { } ordinal)
                continue;
            if (StatefulSetIdentity.InRange(set, ordinal))
                slots[ordinal - start] = pod;
            else
                condemned.Add((pod, ordinal));
        }
        condemned.Sort((a, b) => b.Ordinal.CompareTo(a.Ordinal));

        var status = Status(set, current, update, collisionCount, [.. slots.OfType<Pod>(), .. condemned.Select(c => c.Pod)], now);
        var actions = ImmutableList.CreateBuilder<StatefulSetAction>();
        if (set.Metadata.DeletionTimestamp is not null)
            return new StatefulSetSync([], status, null, Settled: true);

        var monotonic = set.Spec.PodManagementPolicy != PodManagementPolicies.Parallel;
        var firstUnhealthy = slots.FirstOrDefault(p => !IsHealthy(p)) ?? condemned.Select(c => c.Pod).FirstOrDefault(p => !IsHealthy(p));
        var blocked = false;

        for (var i = 0; i < count && !blocked; i++)
        {
            var stop = Replica(set, current, update, slots[i], start + i, claims, minReady, now, monotonic, actions);
            blocked = stop && monotonic;
        }

        if (!blocked)
        {
            // Claims of pods about to go get their owners first, so a whenScaled Delete claim goes with its pod.
            foreach (var (pod, ordinal) in condemned.Where(c => c.Pod.Metadata.DeletionTimestamp is null))
                FixClaimOwners(set, pod, ordinal, claims, actions);
            foreach (var (pod, _) in condemned)
            {
                if (pod.Metadata.DeletionTimestamp is not null)
                {
                    if (monotonic)
                    {
                        blocked = true;
                        break;
                    }
                    continue;
                }
                if (monotonic && pod != firstUnhealthy && (!IsRunningAndReady(pod) || !IsRunningAndAvailable(pod, minReady, now)))
                {
                    blocked = true;
                    break;
                }
                actions.Add(new DeletePod(pod, WhyScaleDown));
                if (monotonic)
                {
                    blocked = true;
                    break;
                }
            }
        }

        if (!blocked && set.Spec.UpdateStrategy?.Type == StatefulSetUpdateStrategy.RollingUpdateType)
        {
            var updateMin = set.Spec.UpdateStrategy.RollingUpdate?.Partition ?? 0;
            for (var target = count - 1; target >= updateMin; target--)
            {
                if (slots[target] is not { } pod)
                    break;
                if (Revision(pod) != update.Name && pod.Metadata.DeletionTimestamp is null)
                {
                    actions.Add(new DeletePod(pod, WhyUpdate));
                    if (Revision(pod) == current.Name)
                        status = status with { CurrentReplicas = status.CurrentReplicas - 1 };
                    break;
                }
                if (!IsHealthy(pod))
                    break;
            }
        }

        // OnDelete waits for the user, not for a pass: old pods do not keep it looking.
        var rolling = set.Spec.UpdateStrategy?.Type == StatefulSetUpdateStrategy.RollingUpdateType;
        var settled = actions.Count == 0 && condemned.Count == 0 && slots.All(p => IsHealthy(p) && IsRunningAndAvailable(p!, minReady, now))
            && (!rolling || status.UpdatedReplicas >= count - (set.Spec.UpdateStrategy?.RollingUpdate?.Partition ?? 0));
        return new StatefulSetSync(actions.ToImmutable(), status, RecheckAt(pods, minReady, now), settled);
    }

    /// <summary>
    /// One ordinal in range (kube's processReplica). Returns true where kube stops an OrderedReady pass: after a
    /// creation, at a finished pod, and at a pod that is terminating, not Running and Ready, or not yet available.
    /// </summary>
    private static bool Replica(StatefulSet set, StatefulSetRevision current, StatefulSetRevision update, Pod? pod, int ordinal,
        IReadOnlyDictionary<string, PersistentVolumeClaim> claims, int minReady, DateTimeOffset now, bool monotonic,
        ImmutableList<StatefulSetAction>.Builder actions)
    {
        if (pod is null)
        {
            var newPod = NewVersionedPod(set, current, update, ordinal);
            var ownClaims = StatefulSetPods.NewClaims(set, ordinal);
            // A claim still going with an earlier pod would hand the new one storage that is being removed: wait.
            if (ownClaims.Any(c => claims.TryGetValue(c.Metadata.Name!, out var existing) && StatefulSetClaims.IsStale(existing)))
                return true;
            foreach (var claim in ownClaims.Where(c => !claims.ContainsKey(c.Metadata.Name!)))
                actions.Add(new CreateClaim(claim, newPod.Metadata.Name!));
            actions.Add(new CreatePod(newPod));
            return true;
        }
        if (pod.Status?.Phase is Failed or Succeeded)
        {
            if (pod.Metadata.DeletionTimestamp is null)
                actions.Add(new DeletePod(pod, WhyFinished));
            return true;
        }
        if (pod.Status?.Phase is null or Pending)
        {
            foreach (var claim in StatefulSetPods.NewClaims(set, ordinal).Where(c => !claims.ContainsKey(c.Metadata.Name!)))
                actions.Add(new CreateClaim(claim, pod.Metadata.Name!));
        }
        if (pod.Metadata.DeletionTimestamp is not null || !IsRunningAndReady(pod) || !IsRunningAndAvailable(pod, minReady, now))
            return true;
        FixClaimOwners(set, pod, ordinal, claims, actions);
        return false;
    }

    /// <summary>
    /// The pod of an ordinal that does not exist (kube's newVersionedStatefulSetPod): below the partition (or, for a
    /// RollingUpdate without rollingUpdate, below the pods already current) it is made from the current revision, so
    /// a partitioned update does not spread to recreated pods; otherwise from the update revision.
    /// </summary>
    public static Pod NewVersionedPod(StatefulSet set, StatefulSetRevision current, StatefulSetRevision update, int ordinal)
    {
        var start = StatefulSetIdentity.StartOrdinal(set);
        var strategy = set.Spec.UpdateStrategy;
        var useCurrent = (strategy?.Type == StatefulSetUpdateStrategy.RollingUpdateType && strategy.RollingUpdate is null
                && ordinal < start + (set.Status?.CurrentReplicas ?? 0))
            || (strategy?.RollingUpdate is { } rolling && ordinal < start + (rolling.Partition ?? 0));
        var revision = useCurrent ? current : update;
        return StatefulSetPods.NewPod(set, revision.Template, revision.Name, ordinal);
    }

    private static void FixClaimOwners(StatefulSet set, Pod pod, int ordinal, IReadOnlyDictionary<string, PersistentVolumeClaim> claims,
        ImmutableList<StatefulSetAction>.Builder actions)
    {
        foreach (var wanted in StatefulSetPods.NewClaims(set, ordinal))
        {
            if (!claims.TryGetValue(wanted.Metadata.Name!, out var claim) || claim.Metadata.DeletionTimestamp is not null)
                continue;
            var owners = StatefulSetClaims.Owners(claim.Metadata.OwnerReferences, set, pod, ordinal);
            if (!StatefulSetClaims.SameOwners(owners, claim.Metadata.OwnerReferences))
                actions.Add(new SetClaimOwners(claim, owners));
        }
    }

    /// <summary>
    /// kube's computeReplicaStatus over every pod of the set, then completeRollingUpdate: once every pod is of the update
    /// revision and ready, the update revision becomes the current one.
    /// </summary>
    public static StatefulSetStatus Status(StatefulSet set, StatefulSetRevision current, StatefulSetRevision update, int? collisionCount,
        IReadOnlyList<Pod> pods, DateTimeOffset now)
    {
        var minReady = set.Spec.MinReadySeconds ?? 0;
        var live = pods.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        var status = new StatefulSetStatus
        {
            ObservedGeneration = set.Metadata.Generation,
            Replicas = pods.Count,
            ReadyReplicas = pods.Count(IsRunningAndReady),
            AvailableReplicas = pods.Count(p => IsRunningAndAvailable(p, minReady, now)),
            CurrentReplicas = live.Count(p => Revision(p) == current.Name),
            UpdatedReplicas = live.Count(p => Revision(p) == update.Name),
            CurrentRevision = current.Name,
            UpdateRevision = update.Name,
            CollisionCount = collisionCount,
            Conditions = set.Status?.Conditions,
        };
        if (set.Spec.UpdateStrategy?.Type == StatefulSetUpdateStrategy.RollingUpdateType
            && status.UpdatedReplicas == status.Replicas && status.ReadyReplicas == status.Replicas)
            status = status with { CurrentReplicas = status.UpdatedReplicas, CurrentRevision = status.UpdateRevision };
        return status;
    }

    public static string? Revision(Pod pod) => pod.Metadata.Labels?.GetValueOrDefault(StatefulSetPods.RevisionLabel);

    private static bool IsRunningAndReady(Pod pod) => pod.Status?.Phase == Running && PodReadiness.IsReady(pod);

    private static bool IsRunningAndAvailable(Pod pod, int minReady, DateTimeOffset now) =>
        pod.Status?.Phase == Running && PodReadiness.IsAvailable(pod, minReady, now);

    /// <summary>Running and Ready and not being deleted; a missing pod is not healthy.</summary>
    private static bool IsHealthy(Pod? pod) => pod is not null && IsRunningAndReady(pod) && pod.Metadata.DeletionTimestamp is null;

    private static DateTimeOffset? RecheckAt(IReadOnlyList<Pod> pods, int minReady, DateTimeOffset now)
    {
        if (minReady <= 0)
            return null;
        var pending = pods.Select(p => PodReadiness.AvailableAt(p, minReady)).Where(t => t > now).ToList();
        return pending.Count == 0 ? null : pending.Min();
    }
}
