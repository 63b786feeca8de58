using System.Collections.Immutable;
using Granary.Grains.Disruption;
using Granary.Model;

namespace Granary.Tests.Unit.Disruption;

/// <summary>Table tests after kube's pkg/controller/disruption tests: which status a budget gets from its pods and their controllers.</summary>
public sealed class DisruptionPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static PodDisruptionBudget Pdb(IntOrString? minAvailable = null, IntOrString? maxUnavailable = null, long generation = 1,
        PodDisruptionBudgetStatus? status = null) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default", Uid = "pdb-uid", Generation = generation },
        Spec = new PodDisruptionBudgetSpec
        {
            MinAvailable = minAvailable,
            MaxUnavailable = maxUnavailable,
            Selector = new LabelSelectorSpec { MatchLabels = ImmutableSortedDictionary<string, string>.Empty.Add("app", "web") },
        },
        Status = status,
    };

    private static Pod Pod(string name, bool ready = true, string? controllerUid = "rs-1", bool deleting = false, string phase = "Running") => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = "default",
            Labels = ImmutableSortedDictionary<string, string>.Empty.Add("app", "web"),
            DeletionTimestamp = deleting ? Now : null,
            OwnerReferences = controllerUid is null ? null : [new OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = controllerUid, Uid = controllerUid, Controller = true }],
        },
        Status = new PodStatus { Phase = phase, Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }] },
    };

    private static Func<OwnerReference, ControllerScale?> Scales(params (string Uid, int Replicas)[] controllers) =>
        r => controllers.FirstOrDefault(c => c.Uid == r.Uid) is { Uid: not null } c ? new ControllerScale(c.Uid, c.Replicas) : null;

    private static readonly Func<OwnerReference, ControllerScale?> NoControllers = _ => null;

    public static TheoryData<string, IntOrString?, IntOrString?, int, int, int, int, int, int> Budgets() => new()
    {
        // case, minAvailable, maxUnavailable, pods, ready pods, controller replicas, expected, desired, allowed
        { "min count met with one spare", 3, null, 4, 4, 4, 4, 3, 1 },
        { "min count exactly met", 3, null, 4, 3, 4, 4, 3, 0 },
        { "min count short", 3, null, 2, 2, 4, 2, 3, 0 },
        { "min count zero lets every ready pod go", 0, null, 3, 3, 3, 3, 0, 3 },
        { "min percent rounds up against the scale", "50%", null, 3, 3, 3, 3, 2, 1 },
        { "min percent counts replicas, not pods", "50%", null, 2, 2, 4, 4, 2, 0 },
        { "min 100% allows nothing", "100%", null, 4, 4, 4, 4, 4, 0 },
        { "max count", null, 1, 4, 4, 4, 4, 3, 1 },
        { "max count with a missing pod", null, 1, 3, 3, 4, 4, 3, 0 },
        { "max percent rounds up", null, "30%", 4, 4, 4, 4, 2, 2 },
        { "max zero allows nothing", null, 0, 4, 4, 4, 4, 4, 0 },
        { "no pods expected allows nothing", 0, null, 0, 0, 0, 0, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Budgets))]
    public void Plan_CountsExpectedDesiredAndAllowed(string @case, IntOrString? min, IntOrString? max, int pods, int ready, int replicas,
        int expected, int desired, int allowed)
    {
        var list = Enumerable.Range(0, pods).Select(i => Pod($"web-{i}", ready: i < ready)).ToList();

        var plan = DisruptionPlanner.Plan(Pdb(min, max), list, Scales(("rs-1", replicas)), Now);

        Assert.Null(plan.SyncError);
        Assert.True((expected, desired, allowed, ready) == (plan.Status.ExpectedPods, plan.Status.DesiredHealthy, plan.Status.DisruptionsAllowed, plan.Status.CurrentHealthy),
            $"{@case}: expected/desired/allowed/healthy {plan.Status.ExpectedPods}/{plan.Status.DesiredHealthy}/{plan.Status.DisruptionsAllowed}/{plan.Status.CurrentHealthy}");
        var condition = Assert.Single(plan.Status.Conditions!);
        Assert.Equal((PodDisruptionBudgetStatus.DisruptionAllowed, allowed > 0 ? "True" : "False", allowed > 0 ? "SufficientPods" : "InsufficientPods", Now),
            (condition.Type, condition.Status, condition.Reason, condition.LastTransitionTime!.Value));
        Assert.Equal(1, plan.Status.ObservedGeneration);
    }

    [Fact]
    public void Plan_PodsOfTwoControllers_SumsEachControllerOnce()
    {
        var pods = new[] { Pod("a", controllerUid: "rs-1"), Pod("b", controllerUid: "rs-1"), Pod("c", controllerUid: "rs-2") };

        var plan = DisruptionPlanner.Plan(Pdb(maxUnavailable: 1), pods, Scales(("rs-1", 2), ("rs-2", 3)), Now);

        Assert.Equal((5, 4, 0), (plan.Status.ExpectedPods, plan.Status.DesiredHealthy, plan.Status.DisruptionsAllowed));
    }

    [Fact]
    public void Plan_ReplicaSetsOfOneDeployment_CountTheDeploymentOnce()
    {
        // Both ReplicaSets resolve to the Deployment's scale (as kube's getPodDeployment finder does).
        var pods = new[] { Pod("a", controllerUid: "rs-old"), Pod("b", controllerUid: "rs-new"), Pod("c", controllerUid: "rs-new") };

        var plan = DisruptionPlanner.Plan(Pdb(minAvailable: "50%"), pods, _ => new ControllerScale("deploy-1", 3), Now);

        Assert.Equal((3, 2, 1), (plan.Status.ExpectedPods, plan.Status.DesiredHealthy, plan.Status.DisruptionsAllowed));
    }

    [Fact]
    public void Plan_ControllerNotFound_FailsSafeWithSyncFailed()
    {
        var old = new PodDisruptionBudgetStatus { ObservedGeneration = 1, DisruptionsAllowed = 2, CurrentHealthy = 4, DesiredHealthy = 2, ExpectedPods = 4 };

        var plan = DisruptionPlanner.Plan(Pdb(maxUnavailable: 2, generation: 2, status: old), [Pod("a")], NoControllers, Now);

        Assert.Equal("found no controllers for pod \"a\"", plan.SyncError);
        Assert.Equal(old with { DisruptionsAllowed = 0, Conditions = plan.Status.Conditions }, plan.Status);
        var condition = Assert.Single(plan.Status.Conditions!);
        Assert.Equal(("False", "SyncFailed", "found no controllers for pod \"a\"", 1L), (condition.Status, condition.Reason, condition.Message, condition.ObservedGeneration!.Value));
    }

    [Fact]
    public void Plan_PodsWithoutController_AreLeftOutOfTheScaleAndReported()
    {
        var pods = new[] { Pod("a"), Pod("b"), Pod("bare", controllerUid: null) };

        var plan = DisruptionPlanner.Plan(Pdb(maxUnavailable: 1), pods, Scales(("rs-1", 2)), Now);

        Assert.Null(plan.SyncError);
        Assert.Equal(["bare"], plan.UnmanagedPods);
        Assert.Equal((2, 1, 3, 2), (plan.Status.ExpectedPods, plan.Status.DesiredHealthy, plan.Status.CurrentHealthy, plan.Status.DisruptionsAllowed));
    }

    [Fact]
    public void Plan_MinAvailableCount_NeedsNoControllers()
    {
        var pods = new[] { Pod("a", controllerUid: null), Pod("b", controllerUid: null) };

        var plan = DisruptionPlanner.Plan(Pdb(minAvailable: 1), pods, NoControllers, Now);

        Assert.Equal((2, 1, 1), (plan.Status.ExpectedPods, plan.Status.DesiredHealthy, plan.Status.DisruptionsAllowed));
        Assert.Empty(plan.UnmanagedPods);
    }

    [Fact]
    public void Plan_DeletingAndNotReadyPods_AreNotHealthy()
    {
        var pods = new[] { Pod("a"), Pod("b", deleting: true), Pod("c", ready: false), Pod("d") };

        var plan = DisruptionPlanner.Plan(Pdb(minAvailable: 1), pods, NoControllers, Now);

        Assert.Equal((4, 2, 1), (plan.Status.ExpectedPods, plan.Status.CurrentHealthy, plan.Status.DisruptionsAllowed));
    }

    [Fact]
    public void Plan_GrantedEvictionNotYetDone_IsNotHealthyAndRechecksWhenItRunsOut()
    {
        var granted = Now.AddSeconds(-30);
        var status = new PodDisruptionBudgetStatus { ObservedGeneration = 1, DisruptedPods = ImmutableSortedDictionary<string, DateTimeOffset>.Empty.Add("a", granted) };
        var pods = new[] { Pod("a"), Pod("b"), Pod("c") };

        var plan = DisruptionPlanner.Plan(Pdb(minAvailable: 1, status: status), pods, NoControllers, Now);

        Assert.Equal((2, 1), (plan.Status.CurrentHealthy, plan.Status.DisruptionsAllowed));
        Assert.Equal(["a"], plan.Status.DisruptedPods!.Keys);
        Assert.Equal(granted + DisruptionPlanner.DeletionTimeout, plan.RecheckAt);
    }

    [Fact]
    public void Plan_GrantedEvictionOlderThanTwoMinutes_IsDroppedAndReported()
    {
        var status = new PodDisruptionBudgetStatus
        {
            ObservedGeneration = 1,
            DisruptedPods = ImmutableSortedDictionary<string, DateTimeOffset>.Empty.Add("a", Now - DisruptionPlanner.DeletionTimeout - TimeSpan.FromSeconds(1)),
        };

        var plan = DisruptionPlanner.Plan(Pdb(minAvailable: 1, status: status), [Pod("a"), Pod("b")], NoControllers, Now);

        Assert.Null(plan.Status.DisruptedPods);
        Assert.Equal(["a"], plan.NotDeleted);
        Assert.Equal((2, 1), (plan.Status.CurrentHealthy, plan.Status.DisruptionsAllowed));
        Assert.Null(plan.RecheckAt);
    }

    [Fact]
    public void Plan_GrantedEvictionWhosePodIsGoingOrGone_IsDropped()
    {
        var status = new PodDisruptionBudgetStatus
        {
            ObservedGeneration = 1,
            DisruptedPods = ImmutableSortedDictionary<string, DateTimeOffset>.Empty.Add("going", Now).Add("gone", Now),
        };

        var plan = DisruptionPlanner.Plan(Pdb(minAvailable: 1, status: status), [Pod("going", deleting: true), Pod("b")], NoControllers, Now);

        Assert.Null(plan.Status.DisruptedPods);
        Assert.Empty(plan.NotDeleted);
    }

    [Fact]
    public void Plan_UnchangedAllowance_KeepsTheConditionsTransitionTime()
    {
        var first = DisruptionPlanner.Plan(Pdb(minAvailable: 1), [Pod("a"), Pod("b")], NoControllers, Now);

        var second = DisruptionPlanner.Plan(Pdb(minAvailable: 1, status: first.Status), [Pod("a"), Pod("b")], NoControllers, Now.AddMinutes(5));
        var third = DisruptionPlanner.Plan(Pdb(minAvailable: 1, status: second.Status), [Pod("a")], NoControllers, Now.AddMinutes(10));

        Assert.Equal(first.Status.Conditions, second.Status.Conditions);
        Assert.Equal(first.Status with { Conditions = null }, second.Status with { Conditions = null });
        Assert.Equal(("False", Now.AddMinutes(10)), (third.Status.Conditions![0].Status, third.Status.Conditions[0].LastTransitionTime!.Value));
    }

    [Fact]
    public void Plan_NewGeneration_IsObserved()
    {
        var plan = DisruptionPlanner.Plan(Pdb(minAvailable: 1, generation: 3, status: new PodDisruptionBudgetStatus { ObservedGeneration = 2 }), [Pod("a")], NoControllers, Now);

        Assert.Equal(3, plan.Status.ObservedGeneration);
        Assert.Equal(3, plan.Status.Conditions![0].ObservedGeneration);
    }
}
