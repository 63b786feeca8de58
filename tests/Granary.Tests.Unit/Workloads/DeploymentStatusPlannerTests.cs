using System.Collections.Immutable;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Tests.Unit.Workloads;

public class DeploymentStatusPlannerTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static Deployment Deployment(int replicas, DeploymentStatus? status = null, long generation = 2) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Generation = generation },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            ProgressDeadlineSeconds = 600,
            Strategy = new DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = "25%" } },
        },
        Status = status,
    };

    private static ReplicaSet Set(string name, int replicas, int current, int ready, int available) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new ReplicaSetSpec { Replicas = replicas },
        Status = new ReplicaSetStatus { Replicas = current, ReadyReplicas = ready, AvailableReplicas = available },
    };

    private static DeploymentCondition? Condition(DeploymentStatus s, string type) => s.Conditions?.FirstOrDefault(c => c.Type == type);

    [Fact]
    public void Calculate_CountsFromTheReplicaSets()
    {
        var newSet = Set("web-new", 2, 2, 1, 1);
        var status = DeploymentStatusPlanner.Calculate(Deployment(4), newSet, [newSet, Set("web-old", 3, 3, 3, 3)], Now);

        Assert.Equal((2L, 5, 2, 4, 4, 1), (status.ObservedGeneration!.Value, status.Replicas, status.UpdatedReplicas, status.ReadyReplicas, status.AvailableReplicas, status.UnavailableReplicas));
        Assert.Equal(("True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
            (Condition(status, "Available")!.Status, Condition(status, "Available")!.Reason, Condition(status, "Available")!.Message));
        Assert.Equal(("True", "ReplicaSetUpdated", "ReplicaSet \"web-new\" is progressing."),
            (Condition(status, "Progressing")!.Status, Condition(status, "Progressing")!.Reason, Condition(status, "Progressing")!.Message));
    }

    [Fact]
    public void Calculate_TooFewAvailable_IsUnavailable()
    {
        var newSet = Set("web-new", 4, 4, 0, 0);
        var status = DeploymentStatusPlanner.Calculate(Deployment(4), newSet, [newSet], Now);

        Assert.Equal(("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
            (Condition(status, "Available")!.Status, Condition(status, "Available")!.Reason, Condition(status, "Available")!.Message));
    }

    [Fact]
    public void Calculate_EveryReplicaUpdatedAndAvailable_IsComplete()
    {
        var newSet = Set("web-new", 3, 3, 3, 3);
        var status = DeploymentStatusPlanner.Calculate(Deployment(3), newSet, [newSet, Set("web-old", 0, 0, 0, 0)], Now);

        Assert.True(DeploymentStatusPlanner.IsComplete(Deployment(3), status));
        Assert.Equal(("True", "NewReplicaSetAvailable", "ReplicaSet \"web-new\" has successfully progressed."),
            (Condition(status, "Progressing")!.Status, Condition(status, "Progressing")!.Reason, Condition(status, "Progressing")!.Message));
    }

    [Fact]
    public void Calculate_NoProgressPastTheDeadline_ExceedsIt()
    {
        var stuck = new DeploymentStatus
        {
            ObservedGeneration = 2, Replicas = 3, UpdatedReplicas = 1, ReadyReplicas = 2, AvailableReplicas = 2,
            Conditions = [DeploymentConditions.New("Progressing", true, "ReplicaSetUpdated", "ReplicaSet \"web-new\" is progressing.", Now.AddMinutes(-11))],
        };
        var newSet = Set("web-new", 1, 1, 0, 0);

        var status = DeploymentStatusPlanner.Calculate(Deployment(2, stuck), newSet, [newSet, Set("web-old", 2, 2, 2, 2)], Now);

        Assert.Equal(("False", "ProgressDeadlineExceeded", "ReplicaSet \"web-new\" has timed out progressing."),
            (Condition(status, "Progressing")!.Status, Condition(status, "Progressing")!.Reason, Condition(status, "Progressing")!.Message));
    }

    [Fact]
    public void Set_SameStatusAndReason_KeepsTheCondition_OtherReasonKeepsTransitionTime()
    {
        var first = DeploymentConditions.New("Progressing", true, "NewReplicaSetCreated", "Created new replica set \"web-1\"", Now.AddMinutes(-1));
        var status = new DeploymentStatus { Conditions = ImmutableList.Create(first) };

        var same = DeploymentConditions.Set(status, first with { LastUpdateTime = Now });
        var other = DeploymentConditions.Set(status, DeploymentConditions.New("Progressing", true, "NewReplicaSetAvailable", "done", Now));

        Assert.Same(status, same);
        Assert.Equal((Now.AddMinutes(-1), Now), (other.Conditions![0].LastTransitionTime!.Value, other.Conditions[0].LastUpdateTime!.Value));
    }
}
