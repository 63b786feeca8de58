using System.Collections.Immutable;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Tests.Unit.Workloads;

public class RolloutPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("25%", "25%", 3, 1, 0)]
    [InlineData("25%", "25%", 4, 1, 1)]
    [InlineData("25%", "25%", 10, 3, 2)]
    [InlineData("50%", "10%", 10, 5, 1)]
    [InlineData("0", "0", 5, 0, 1)]
    [InlineData("0%", "0%", 5, 0, 1)]
    [InlineData("2", "0", 5, 2, 0)]
    [InlineData("25%", "25%", 0, 0, 1)]
    public void Resolve_ScalesPercentagesLikeKubernetes(string surge, string unavailable, int replicas, int expectedSurge, int expectedUnavailable)
    {
        var limits = RolloutLimits.Resolve(Parse(surge), Parse(unavailable), replicas);

        Assert.Equal(new RolloutLimits(expectedSurge, expectedUnavailable), limits);
    }

    [Fact]
    public void For_Recreate_AllowsNoSurgeAndEveryPodDown()
    {
        var spec = new DeploymentSpec { Replicas = 4, Strategy = new DeploymentStrategy { Type = "Recreate" } };

        Assert.Equal(new RolloutLimits(0, 4), RolloutLimits.For(spec));
    }

    public static TheoryData<string, RolloutGoal, ReplicaSetReplicas, ReplicaSetReplicas[], int, string> RollingSteps => new()
    {
        {
            "new ReplicaSet starts with the surge only",
            Rolling(3, surge: 1, unavailable: 0), Set("new", 0, 0), [Set("a", 3, 3)], 1, ""
        },
        {
            "an available new pod lets one old pod go",
            Rolling(3, surge: 1, unavailable: 0), Set("new", 1, 1), [Set("a", 3, 3)], 1, "a=2"
        },
        {
            "the total stays within replicas + maxSurge, unavailable new pods hold old ones",
            Rolling(3, surge: 1, unavailable: 0), Set("new", 1, 1), [Set("a", 2, 2)], 2, ""
        },
        {
            "25%/25% of 4 adds one and removes one at once",
            Rolling(4, surge: 1, unavailable: 1), Set("new", 0, 0), [Set("a", 4, 4)], 1, "a=3"
        },
        {
            "no surge: old pods go first, within maxUnavailable",
            Rolling(2, surge: 0, unavailable: 1), Set("new", 0, 0), [Set("a", 2, 2)], 0, "a=1"
        },
        {
            "unhealthy old pods are removed before available ones",
            Rolling(3, surge: 1, unavailable: 1), Set("new", 1, 0), [Set("a", 3, 1)], 1, "a=2"
        },
        {
            "oldest ReplicaSets are scaled down first",
            Rolling(2, surge: 1, unavailable: 1), Set("new", 2, 2), [Set("a", 1, 1, createdMinutes: 2), Set("b", 1, 1, createdMinutes: 1)], 2, "a=0,b=0"
        },
        {
            "only as many old pods go as keep replicas - maxUnavailable available",
            Rolling(4, surge: 1, unavailable: 1), Set("new", 1, 0), [Set("a", 2, 2, createdMinutes: 1), Set("b", 2, 2, createdMinutes: 2)], 1, "a=1"
        },
        {
            "scaling up a lone ReplicaSet goes straight to replicas",
            Rolling(5, surge: 2, unavailable: 1), Set("new", 1, 1), [], 5, ""
        },
        {
            "scaling down a lone ReplicaSet goes straight to replicas",
            Rolling(1, surge: 1, unavailable: 0), Set("new", 3, 3), [], 1, ""
        },
        {
            "finished: nothing to do",
            Rolling(3, surge: 1, unavailable: 0), Set("new", 3, 3), [Set("a", 0, 0)], 3, ""
        },
    };

    [Theory]
    [MemberData(nameof(RollingSteps))]
    public void Plan_RollingUpdate_StaysWithinSurgeAndUnavailability(string because, RolloutGoal goal, ReplicaSetReplicas newSet,
        ReplicaSetReplicas[] oldSets, int expectedNew, string expectedOld)
    {
        var plan = RolloutPlanner.Plan(goal, newSet, oldSets);

        Assert.True(expectedNew == plan.NewReplicas, $"{because}: new ReplicaSet {plan.NewReplicas}, expected {expectedNew}");
        Assert.True(expectedOld == Format(plan.OldReplicas), $"{because}: old ReplicaSets {Format(plan.OldReplicas)}, expected {expectedOld}");
    }

    [Fact]
    public void Plan_RollingUpdate_RunToCompletion_NeverBreaksTheLimits()
    {
        // Simulates the controller and instantly ready pods: every step must respect both limits.
        var goal = Rolling(10, surge: 3, unavailable: 2);
        var newSet = Set("new", 0, 0);
        var old = Set("old", 10, 10);
        for (var step = 0; step < 50 && (newSet.Replicas != 10 || old.Replicas != 0); step++)
        {
            var plan = RolloutPlanner.Plan(goal, newSet, [old]);
            var oldTarget = plan.OldReplicas.GetValueOrDefault("old", old.Replicas);
            Assert.InRange(plan.NewReplicas + oldTarget, 0, 13);
            Assert.True(Math.Min(newSet.AvailableReplicas, plan.NewReplicas) + Math.Min(old.AvailableReplicas, oldTarget) >= 8,
                $"step {step}: availability fell below replicas - maxUnavailable");
            newSet = newSet with { Replicas = plan.NewReplicas, AvailableReplicas = plan.NewReplicas, ActiveReplicas = plan.NewReplicas };
            old = old with { Replicas = oldTarget, AvailableReplicas = oldTarget, ActiveReplicas = oldTarget };
        }
        Assert.Equal((10, 0), (newSet.Replicas, old.Replicas));
    }

    [Fact]
    public void Plan_Recreate_ScalesOldToZero_WaitsForTheirPods_ThenScalesNewUp()
    {
        var goal = new RolloutGoal(3, "Recreate", new RolloutLimits(0, 3));

        var first = RolloutPlanner.Plan(goal, Set("new", 0, 0), [Set("a", 3, 3)]);
        var waiting = RolloutPlanner.Plan(goal, Set("new", 0, 0), [Set("a", 0, 0, active: 2)]);
        var last = RolloutPlanner.Plan(goal, Set("new", 0, 0), [Set("a", 0, 0, active: 0)]);

        Assert.Equal((0, "a=0"), (first.NewReplicas, Format(first.OldReplicas)));
        Assert.Equal((0, ""), (waiting.NewReplicas, Format(waiting.OldReplicas)));
        Assert.Equal((3, ""), (last.NewReplicas, Format(last.OldReplicas)));
    }

    [Fact]
    public void Plan_Paused_ScalesOnlyALoneReplicaSet()
    {
        var goal = new RolloutGoal(4, "RollingUpdate", new RolloutLimits(1, 1), Paused: true);

        Assert.Equal(4, RolloutPlanner.Plan(goal, Set("new", 2, 2), [Set("a", 0, 0)]).NewReplicas);
        Assert.Equal(1, RolloutPlanner.Plan(goal, Set("new", 1, 1), [Set("a", 2, 2)]).NewReplicas);
    }

    private static RolloutGoal Rolling(int replicas, int surge, int unavailable) => new(replicas, "RollingUpdate", new RolloutLimits(surge, unavailable));

    private static ReplicaSetReplicas Set(string name, int replicas, int available, int? active = null, int createdMinutes = 0) =>
        new(name, replicas, available, active ?? replicas, T0.AddMinutes(createdMinutes));

    private static IntOrString Parse(string value) => int.TryParse(value, out var i) ? i : value;

    private static string Format(ImmutableSortedDictionary<string, int> old) => string.Join(",", old.Select(p => $"{p.Key}={p.Value}"));
}
