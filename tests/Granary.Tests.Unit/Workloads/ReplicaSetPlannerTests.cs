using System.Collections.Immutable;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Tests.Unit.Workloads;

public class ReplicaSetPlannerTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static ReplicaSet Rs(int replicas, int minReadySeconds = 0) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default", Uid = "rs-uid", Generation = 4 },
        Spec = new ReplicaSetSpec
        {
            Replicas = replicas,
            MinReadySeconds = minReadySeconds,
            Selector = new LabelSelectorSpec { MatchLabels = Labels(("app", "web")) },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = Labels(("app", "web"), ("tier", "fe")) },
                Spec = new PodSpec { Containers = [new Container { Name = "web", Image = "local/web:1" }] },
            },
        },
    };

    private static Pod Pod(string name, string? node = "n1", string phase = "Running", bool ready = true, int readyForSeconds = 600,
        int restarts = 0, int ageSeconds = 1000, bool fullyLabeled = true) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            CreationTimestamp = Now.AddSeconds(-ageSeconds),
            Labels = fullyLabeled ? Labels(("app", "web"), ("tier", "fe")) : Labels(("app", "web")),
        },
        Spec = new PodSpec { NodeName = node },
        Status = new PodStatus
        {
            Phase = phase,
            Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = Now.AddSeconds(-readyForSeconds) }],
            ContainerStatuses = [new ContainerStatus { Name = "web", RestartCount = restarts }],
        },
    };

    [Fact]
    public void Plan_TooFewPods_CreatesTheDifference()
    {
        var sync = ReplicaSetPlanner.Plan(Rs(3), [Pod("a")], Now);

        Assert.Equal(2, sync.ToCreate);
        Assert.Empty(sync.ToDelete);
        Assert.False(sync.Converged);
    }

    [Fact]
    public void Plan_TooManyPods_DeletesUnscheduledPendingNotReadyAndNewestFirst()
    {
        var pods = new[]
        {
            Pod("old-ready", ageSeconds: 5000),
            Pod("new-ready", ageSeconds: 100, readyForSeconds: 50),
            Pod("not-ready", ready: false),
            Pod("pending", phase: "Pending", ready: false),
            Pod("unscheduled", node: null, phase: "Pending", ready: false),
            Pod("restarting", restarts: 4),
        };

        var sync = ReplicaSetPlanner.Plan(Rs(1), pods, Now);

        Assert.Equal(["unscheduled", "pending", "not-ready", "new-ready", "restarting"], sync.ToDelete.Select(p => p.Metadata.Name));
        Assert.Equal(0, sync.ToCreate);
    }

    [Fact]
    public void Status_CountsReadyAvailableAndFullyLabeledPods()
    {
        var pods = new[] { Pod("a"), Pod("b", ready: false), Pod("c", fullyLabeled: false), Pod("d", readyForSeconds: 5) };

        var status = ReplicaSetPlanner.Status(Rs(4, minReadySeconds: 10), pods, Now);

        Assert.Equal(4, status.Replicas);
        Assert.Equal(3, status.FullyLabeledReplicas);
        Assert.Equal(3, status.ReadyReplicas);
        Assert.Equal(2, status.AvailableReplicas);
        Assert.Equal(4, status.ObservedGeneration);
    }

    [Fact]
    public void Plan_PodReadyForLessThanMinReadySeconds_RechecksWhenItBecomesAvailable()
    {
        var sync = ReplicaSetPlanner.Plan(Rs(1, minReadySeconds: 10), [Pod("a", readyForSeconds: 4)], Now);

        Assert.Equal(0, sync.Status.AvailableReplicas);
        Assert.NotNull(sync.RecheckAt);
        Assert.InRange(sync.RecheckAt!.Value, Now.AddSeconds(6), Now.AddSeconds(7));
    }

    [Fact]
    public void NewPod_CopiesTheTemplateAndPointsAtItsController()
    {
        var pod = ReplicaSetPlanner.NewPod(Rs(1), "web-abcde");

        Assert.Equal("web-abcde", pod.Metadata.Name);
        Assert.Equal("web-", pod.Metadata.GenerateName);
        Assert.Equal(Labels(("app", "web"), ("tier", "fe")), pod.Metadata.Labels);
        var owner = Assert.Single(pod.Metadata.OwnerReferences!);
        Assert.Equal(("apps/v1", "ReplicaSet", "web", "rs-uid", true, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        Assert.Equal("local/web:1", pod.Spec.Containers![0].Image);
    }

    [Fact]
    public void NewPodName_IsTheNameAndFiveSafeCharacters()
    {
        var name = ReplicaSetPlanner.NewPodName("web-7b7cbb95bd", new Random(1));
        var longName = ReplicaSetPlanner.NewPodName(new string('a', 70), new Random(1));

        Assert.Matches("^web-7b7cbb95bd-[bcdfghjklmnpqrstvwxz2456789]{5}$", name);
        Assert.Equal(63, longName.Length);
    }

    private static ImmutableSortedDictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToImmutableSortedDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
}
