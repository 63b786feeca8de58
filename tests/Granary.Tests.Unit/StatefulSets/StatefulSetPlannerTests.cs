using System.Collections.Immutable;
using Granary.Grains.StatefulSets;
using Granary.Model;

namespace Granary.Tests.Unit.StatefulSets;

/// <summary>
/// The StatefulSet controller's decisions, in the style of kube's stateful_set_control_test.go: a set and its pods in,
/// the actions of one sync out. Pods are written "web-1 Running Ready r1" (name, phase, readiness, revision), with
/// "Terminating" for a pod being deleted; actions as "claim www-web-1", "create web-1 r2", "delete web-2 (scale down)",
/// "owners www-web-2: Pod".
/// </summary>
public class StatefulSetPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly StatefulSetRevision R1 = new("web-r1", Template("local/busybox:1"));
    private static readonly StatefulSetRevision R2 = new("web-r2", Template("local/busybox:2"));

    public static TheoryData<string, string, StatefulSet, string[], string[]> Cases => new()
    {
        { "OrderedReady starts with the first ordinal and its claim", "none", Set(3), [], ["claim www-web-0", "create web-0 r2"] },
        { "OrderedReady waits for a pending predecessor", "all", Set(3), ["web-0 Pending NotReady r2"], [] },
        { "OrderedReady waits for a running predecessor that is not ready", "all", Set(3), ["web-0 Running NotReady r2"], [] },
        { "OrderedReady creates the next once the previous is ready", "none", Set(3), ["web-0 Running Ready r2"], ["claim www-web-1", "create web-1 r2"] },
        { "OrderedReady fills a hole before going on", "none", Set(3), ["web-0 Running Ready r2", "web-2 Running Ready r2"], ["claim www-web-1", "create web-1 r2"] },
        { "Parallel creates every missing pod at once", "none", Set(3, parallel: true), [],
            ["claim www-web-0", "create web-0 r2", "claim www-web-1", "create web-1 r2", "claim www-web-2", "create web-2 r2"] },
        { "Parallel does not wait for pending pods", "none", Set(3, parallel: true), ["web-0 Pending NotReady r2"],
            ["claim www-web-0", "claim www-web-1", "create web-1 r2", "claim www-web-2", "create web-2 r2"] },
        { "ordinals.start shifts the names", "none", Set(2, start: 3), [], ["claim www-web-3", "create web-3 r2"] },
        { "pods outside the range shifted by ordinals.start go", "all", Set(2, start: 1), ["web-0 Running Ready r2", "web-1 Running Ready r2", "web-2 Running Ready r2"],
            ["delete web-0 (scale down)"] },
        { "an existing claim is reused", "all", Set(1), [], ["create web-0 r2"] },
        { "a failed pod is deleted to be made again", "all", Set(3), ["web-0 Running Ready r2", "web-1 Failed NotReady r2"], ["delete web-1 (finished)"] },
        { "a succeeded pod is deleted to be made again", "all", Set(1), ["web-0 Succeeded NotReady r2"], ["delete web-0 (finished)"] },
        { "a finished pod being deleted is waited for", "all", Set(1), ["web-0 Failed NotReady r2 Terminating"], [] },
        { "OrderedReady scales down from the highest ordinal, one at a time", "all", Set(1),
            ["web-0 Running Ready r2", "web-1 Running Ready r2", "web-2 Running Ready r2"], ["delete web-2 (scale down)"] },
        { "OrderedReady waits for a terminating pod before the next", "all", Set(1),
            ["web-0 Running Ready r2", "web-1 Running Ready r2", "web-2 Running Ready r2 Terminating"], [] },
        { "OrderedReady deletes an unhealthy highest pod first", "all", Set(1),
            ["web-0 Running Ready r2", "web-1 Running Ready r2", "web-2 Pending NotReady r2"], ["delete web-2 (scale down)"] },
        { "OrderedReady deletes the highest surplus pod even while a lower one is unhealthy", "all", Set(1),
            ["web-0 Running Ready r2", "web-1 Pending NotReady r2", "web-2 Running Ready r2"], ["delete web-2 (scale down)"] },
        { "OrderedReady does not scale down while a replica is unhealthy", "all", Set(1), ["web-0 Pending NotReady r2", "web-1 Running Ready r2"], [] },
        { "Parallel scales down every surplus pod at once", "all", Set(1, parallel: true),
            ["web-0 Running Ready r2", "web-1 Running Ready r2", "web-2 Running Ready r2"], ["delete web-2 (scale down)", "delete web-1 (scale down)"] },
        { "a rolling update starts at the highest ordinal", "all", Set(3), ["web-0 Running Ready r1", "web-1 Running Ready r1", "web-2 Running Ready r1"],
            ["delete web-2 (update)"] },
        { "a deleted pod above the partition comes back at the update revision", "all", Set(3), ["web-0 Running Ready r1", "web-1 Running Ready r1"],
            ["create web-2 r2"] },
        { "a rolling update waits for the updated pod to be ready", "all", Set(3), ["web-0 Running Ready r1", "web-1 Running Ready r1", "web-2 Running NotReady r2"], [] },
        { "a rolling update goes on in reverse ordinal order", "all", Set(3), ["web-0 Running Ready r1", "web-1 Running Ready r1", "web-2 Running Ready r2"],
            ["delete web-1 (update)"] },
        { "a rolling update waits for the pod it deleted", "all", Set(3), ["web-0 Running Ready r1", "web-1 Running Ready r1 Terminating", "web-2 Running Ready r2"], [] },
        { "a rolling update stops at the partition", "all", Set(3, partition: 2), ["web-0 Running Ready r1", "web-1 Running Ready r1", "web-2 Running Ready r2"], [] },
        { "a pod below the partition comes back at the current revision", "all", Set(3, partition: 2), ["web-0 Running Ready r1", "web-2 Running Ready r2"],
            ["create web-1 r1"] },
        { "OnDelete never deletes for an update", "all", Set(3, onDelete: true), ["web-0 Running Ready r1", "web-1 Running Ready r1", "web-2 Running Ready r1"], [] },
        { "OnDelete makes a deleted pod at the update revision", "all", Set(3, onDelete: true), ["web-0 Running Ready r1", "web-1 Running Ready r1"], ["create web-2 r2"] },
        { "scaling takes precedence over an update", "all", Set(2), ["web-0 Running Ready r1", "web-1 Running Ready r1", "web-2 Running Ready r1"],
            ["delete web-2 (scale down)"] },
        { "a claim still owned by a gone pod is waited for", "www-web-1 owned by Pod", Set(3, whenScaled: "Delete"), ["web-0 Running Ready r2"], [] },
        { "whenScaled Delete hands the claim to the pod before it goes", "all", Set(1, whenScaled: "Delete"),
            ["web-0 Running Ready r2", "web-1 Running Ready r2"], ["owners www-web-1: Pod", "delete web-1 (scale down)"] },
        { "whenDeleted Delete makes the set an owner of its claims", "all", Set(1, whenDeleted: "Delete"), ["web-0 Running Ready r2"], ["owners www-web-0: StatefulSet"] },
        { "Retain takes the set's reference off again", "www-web-0 owned by StatefulSet", Set(1), ["web-0 Running Ready r2"], ["owners www-web-0: -"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_Table(string name, string existingClaims, StatefulSet set, string[] pods, string[] expected)
    {
        var claims = ClaimsFor(existingClaims, set);

        var sync = StatefulSetPlanner.Plan(set, R1, R2, null, [.. pods.Select(Pod)], claims, Now);

        Assert.True(expected.SequenceEqual(sync.Actions.Select(Describe)), $"{name}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", sync.Actions.Select(Describe))}]");
    }

    [Fact]
    public void NewPod_HasItsIdentityHostnameSubdomainAndClaimVolume()
    {
        var set = Set(3);

        var create = StatefulSetPlanner.Plan(set, R1, R2, null, [], new Dictionary<string, PersistentVolumeClaim>(), Now).Actions.OfType<CreatePod>().Single();

        var pod = create.Pod;
        Assert.Equal("web-0", pod.Metadata.Name);
        Assert.Equal("web-0", pod.Metadata.Labels![StatefulSetIdentity.PodNameLabel]);
        Assert.Equal("0", pod.Metadata.Labels[StatefulSetIdentity.PodIndexLabel]);
        Assert.Equal("web-r2", pod.Metadata.Labels[StatefulSetPods.RevisionLabel]);
        Assert.Equal("web", pod.Metadata.Labels["app"]);
        Assert.Equal("web-0", pod.Spec.Hostname);
        Assert.Equal("nginx", pod.Spec.Subdomain);
        Assert.Equal(("StatefulSet", "web", "sts-uid", true), (pod.Metadata.OwnerReferences![0].Kind, pod.Metadata.OwnerReferences[0].Name,
            pod.Metadata.OwnerReferences[0].Uid, pod.Metadata.OwnerReferences[0].Controller == true));
        Assert.Equal(["www:www-web-0", "scratch:"], pod.Spec.Volumes!.Select(v => $"{v.Name}:{v.PersistentVolumeClaim?.ClaimName}"));
        Assert.Equal("local/busybox:2", pod.Spec.Containers![0].Image);
    }

    [Fact]
    public void NewClaim_CarriesTheTemplateAndTheSelectorLabels()
    {
        var claim = StatefulSetPods.NewClaims(Set(3, whenDeleted: "Delete"), 2).Single();

        Assert.Equal("www-web-2", claim.Metadata.Name);
        Assert.Equal("default", claim.Metadata.Namespace);
        Assert.Equal([("app", "web"), ("kind", "data")], claim.Metadata.Labels!.Select(l => (l.Key, l.Value)));
        Assert.Equal("local-path", claim.Spec.StorageClassName);
        Assert.Equal("StatefulSet", Assert.Single(claim.Metadata.OwnerReferences!).Kind);
    }

    [Fact]
    public void Status_CountsPodsPerRevisionAndCompletesTheRollingUpdate()
    {
        var set = Set(3);
        string[] rolling = ["web-0 Running Ready r1", "web-1 Running NotReady r2", "web-2 Running Ready r2"];
        string[] done = ["web-0 Running Ready r2", "web-1 Running Ready r2", "web-2 Running Ready r2"];

        var during = StatefulSetPlanner.Plan(set, R1, R2, 1, [.. rolling.Select(Pod)], Claims(set), Now).Status;
        var after = StatefulSetPlanner.Plan(set, R1, R2, 1, [.. done.Select(Pod)], Claims(set), Now).Status;

        Assert.Equal((3, 2, 2, 1, 2, "web-r1", "web-r2", 1, 7L),
            (during.Replicas, during.ReadyReplicas, during.AvailableReplicas, during.CurrentReplicas, during.UpdatedReplicas, during.CurrentRevision,
                during.UpdateRevision, during.CollisionCount, during.ObservedGeneration));
        Assert.Equal((3, 3, "web-r2", "web-r2"), (after.CurrentReplicas, after.UpdatedReplicas, after.CurrentRevision, after.UpdateRevision));
    }

    [Fact]
    public void Plan_MinReadySeconds_WaitsForAvailabilityAndSaysWhenToLookAgain()
    {
        var set = Set(2) with { Spec = Set(2).Spec with { MinReadySeconds = 30 } };
        var justReady = Pod("web-0 Running Ready r2") with
        {
            Status = Pod("web-0 Running Ready r2").Status! with
            {
                Conditions = [new PodCondition { Type = "Ready", Status = "True", LastTransitionTime = Now.AddSeconds(-10) }],
            },
        };

        var sync = StatefulSetPlanner.Plan(set, R1, R2, null, [justReady], Claims(set), Now);

        Assert.Empty(sync.Actions);
        Assert.Equal(Now.AddSeconds(20).AddTicks(1), sync.RecheckAt);
        Assert.Equal((1, 0), (sync.Status.ReadyReplicas, sync.Status.AvailableReplicas));
    }

    [Fact]
    public void Plan_SetBeingDeleted_DoesNothingButCount()
    {
        var set = Set(3) with { Metadata = Set(3).Metadata with { DeletionTimestamp = Now } };

        var sync = StatefulSetPlanner.Plan(set, R1, R2, null, [Pod("web-0 Running Ready r2")], Claims(set), Now);

        Assert.Empty(sync.Actions);
        Assert.Equal(1, sync.Status.Replicas);
    }

    [Fact]
    public void Plan_AllPodsUpdatedAndAvailable_IsSettled()
    {
        var set = Set(2);

        var sync = StatefulSetPlanner.Plan(set, R2, R2, null, [Pod("web-0 Running Ready r2"), Pod("web-1 Running Ready r2")], Claims(set), Now);

        Assert.True(sync.Settled);
        Assert.Empty(sync.Actions);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Plan_OldPodsAllHealthy_IsSettledOnlyForOnDelete(bool onDelete, bool settled)
    {
        var set = Set(2, onDelete: onDelete);

        var sync = StatefulSetPlanner.Plan(set, R1, R2, null, [Pod("web-0 Running Ready r1"), Pod("web-1 Running Ready r2")], Claims(set), Now);

        Assert.Equal(settled, sync.Settled);
    }

    private static StatefulSet Set(int replicas, bool parallel = false, int? start = null, int? partition = 0, bool onDelete = false,
        string whenDeleted = "Retain", string whenScaled = "Retain") => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default", Uid = "sts-uid", Generation = 7 },
        Spec = new StatefulSetSpec
        {
            Replicas = replicas,
            ServiceName = "nginx",
            Selector = new LabelSelectorSpec { MatchLabels = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("app", "web")]) },
            Template = R2.Template,
            PodManagementPolicy = parallel ? PodManagementPolicies.Parallel : PodManagementPolicies.OrderedReady,
            UpdateStrategy = onDelete
                ? new StatefulSetUpdateStrategy { Type = StatefulSetUpdateStrategy.OnDeleteType }
                : new StatefulSetUpdateStrategy { Type = StatefulSetUpdateStrategy.RollingUpdateType, RollingUpdate = new RollingUpdateStatefulSetStrategy { Partition = partition } },
            Ordinals = start is { } s ? new StatefulSetOrdinals { Start = s } : null,
            PersistentVolumeClaimRetentionPolicy = new StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = whenDeleted, WhenScaled = whenScaled },
            VolumeClaimTemplates =
            [
                new PersistentVolumeClaim
                {
                    Metadata = new ObjectMeta { Name = "www", Labels = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("kind", "data")]) },
                    Spec = new PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], StorageClassName = "local-path" },
                },
            ],
        },
    };

    private static PodTemplateSpec Template(string image) => new()
    {
        Metadata = new ObjectMeta { Labels = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("app", "web")]) },
        Spec = new PodSpec
        {
            Containers = [new Container { Name = "web", Image = image }],
            Volumes = [new Volume { Name = "www", EmptyDir = new EmptyDirVolumeSource() }, new Volume { Name = "scratch", EmptyDir = new EmptyDirVolumeSource() }],
        },
    };

    /// <summary>"web-1 Running Ready r1 [Terminating]".</summary>
    private static Pod Pod(string text)
    {
        var parts = text.Split(' ');
        var ready = parts[2] == "Ready";
        return new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = parts[0],
                Namespace = "default",
                Uid = parts[0] + "-uid",
                Labels = ImmutableSortedDictionary.CreateRange(
                    [KeyValuePair.Create("app", "web"), KeyValuePair.Create(StatefulSetPods.RevisionLabel, "web-" + parts[3])]),
                DeletionTimestamp = parts.Length > 4 && parts[4] == "Terminating" ? Now : null,
            },
            Status = new PodStatus
            {
                Phase = parts[1],
                Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = Now.AddMinutes(-10) }],
            },
        };
    }

    /// <summary>"none", "all" (ordinals 0–5, without owners), or "all" with one claim owned: "www-web-1 owned by Pod".</summary>
    private static Dictionary<string, PersistentVolumeClaim> ClaimsFor(string existing, StatefulSet set)
    {
        if (existing == "none")
            return [];
        var claims = Claims(set);
        if (existing.Split(" owned by ") is [var claim, var kind])
            claims[claim] = claims[claim] with
            {
                Metadata = claims[claim].Metadata with { OwnerReferences = [new OwnerReference { Kind = kind, Name = "web", Uid = kind == "Pod" ? "old-pod" : "sts-uid" }] },
            };
        return claims;
    }

    private static Dictionary<string, PersistentVolumeClaim> Claims(StatefulSet set) =>
        Enumerable.Range(0, 6).Select(i => StatefulSetPods.NewClaims(set, i).Single())
            .ToDictionary(c => c.Metadata.Name!, c => c with { Metadata = c.Metadata with { OwnerReferences = null } });

    private static string Describe(StatefulSetAction action) => action switch
    {
        CreateClaim c => $"claim {c.Claim.Metadata.Name}",
        CreatePod c => $"create {c.Pod.Metadata.Name} {c.Pod.Metadata.Labels![StatefulSetPods.RevisionLabel]["web-".Length..]}",
        DeletePod d => $"delete {d.Pod.Metadata.Name} ({d.Why})",
        SetClaimOwners o => $"owners {o.Claim.Metadata.Name}: {(o.Owners is { Count: > 0 } owners ? string.Join(",", owners.Select(r => r.Kind)) : "-")}",
        _ => action.ToString(),
    };
}
