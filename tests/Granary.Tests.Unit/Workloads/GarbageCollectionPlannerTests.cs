using Granary.Api;
using Granary.Grains.GarbageCollection;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Tests.Unit.Workloads;

public class GarbageCollectionPlannerTests
{
    private static ReplicaSet Rs(string name, string uid, DateTimeOffset? deleting = null, params string[] finalizers) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name, Namespace = "default", Uid = uid, DeletionTimestamp = deleting,
            Finalizers = finalizers.Length == 0 ? null : [.. finalizers],
        },
    };

    private static Pod Pod(string name, params ReplicaSet[] owners) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name, Namespace = "default", Uid = $"uid-{name}",
            OwnerReferences = owners.Length == 0 ? null : [.. owners.Select(o => OwnerReferences.ControllerOf(o))],
        },
    };

    private static IReadOnlyDictionary<ResourceKind, IReadOnlyList<IResource>> World(IReadOnlyList<IResource> pods, IReadOnlyList<IResource> sets) =>
        new Dictionary<ResourceKind, IReadOnlyList<IResource>> { [ResourceKinds.Pod] = pods, [ResourceKinds.ReplicaSet] = sets };

    private static string Describe(CollectionStep s) => $"{s.Action} {s.Object.Metadata.Name}";

    [Fact]
    public void Plan_OwnerGone_DeletesTheDependent()
    {
        var gone = Rs("gone", "u1");
        var live = Rs("live", "u2");

        var steps = GarbageCollectionPlanner.Plan(World([Pod("orphaned", gone), Pod("kept", live), Pod("free")], [live]));

        Assert.Equal(["Delete orphaned"], steps.Select(Describe));
    }

    [Fact]
    public void Plan_OwnerRecreatedWithAnotherUid_DeletesTheOldDependent()
    {
        var old = Rs("web", "old-uid");

        var steps = GarbageCollectionPlanner.Plan(World([Pod("p", old)], [Rs("web", "new-uid")]));

        Assert.Equal(["Delete p"], steps.Select(Describe));
    }

    [Fact]
    public void Plan_OwnerOfAnUnservedKind_IsLeftAlone()
    {
        var pod = Pod("p") with
        {
            Metadata = new ObjectMeta { Name = "p", Uid = "x", OwnerReferences = [new OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = "j", Uid = "j1" }] },
        };

        Assert.Empty(GarbageCollectionPlanner.Plan(World([pod], [])));
    }

    [Fact]
    public void Plan_OrphanDeletion_FreesDependentsThenFinishes()
    {
        var owner = Rs("web", "u1", DateTimeOffset.UnixEpoch, PropagationPolicies.OrphanFinalizer);

        var withDependents = GarbageCollectionPlanner.Plan(World([Pod("a", owner), Pod("b", owner)], [owner]));
        var without = GarbageCollectionPlanner.Plan(World([Pod("a"), Pod("b")], [owner]));

        Assert.Equal(["Orphan a", "Orphan b"], withDependents.Select(Describe));
        Assert.Equal(["FinishOwner web"], without.Select(Describe));
    }

    [Fact]
    public void Plan_ForegroundDeletion_DeletesDependentsFirst_AndWaitsForThemToGo()
    {
        var owner = Rs("web", "u1", DateTimeOffset.UnixEpoch, PropagationPolicies.ForegroundFinalizer);
        var stopping = Pod("b", owner) with { Metadata = Pod("b", owner).Metadata with { DeletionTimestamp = DateTimeOffset.UnixEpoch } };

        var first = GarbageCollectionPlanner.Plan(World([Pod("a", owner), stopping], [owner]));
        var last = GarbageCollectionPlanner.Plan(World([], [owner]));

        Assert.Equal(["DeleteForeground a"], first.Select(Describe));
        Assert.Equal(["FinishOwner web"], last.Select(Describe));
    }
}
