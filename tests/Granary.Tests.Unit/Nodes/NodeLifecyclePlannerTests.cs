using Granary.Grains.Nodes;
using Granary.Model;

namespace Granary.Tests.Unit.Nodes;

public class NodeLifecyclePlannerTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static readonly string[] Unreachable = [$"{NodeTaints.Unreachable}:NoExecute", $"{NodeTaints.Unreachable}:NoSchedule"];

    [Fact]
    public void Plan_FreshLease_ChangesNothing_AndLooksAgainWhenItLapses()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a").Pod("p", "a");

        var plan = world.Pass();

        Assert.Empty(plan.Nodes);
        Assert.Empty(plan.PodsNotReady);
        Assert.Empty(plan.Evictions);
        Assert.Equal(world.Now + 8 * Second, plan.NextPass);
        Assert.False(plan.Watching);
    }

    [Fact]
    public void Plan_LapsedLease_MarksConditionsUnknown_TaintsTheNode_AndMarksItsPodsNotReady()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a").Node("b").Pod("p", "a", LifecycleWorld.Defaults()).Pod("q", "b", LifecycleWorld.Defaults());
        world.Advance(8 * Second);
        world.Renew("b");

        var plan = world.Pass();

        var change = Assert.Single(plan.Nodes);
        Assert.Equal("a", change.After.Metadata.Name);
        Assert.True(change.BecameUnknown);
        var ready = world.Condition("a", "Ready")!;
        Assert.Equal(("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", world.Now), (ready.Status, ready.Reason, ready.Message, ready.LastTransitionTime));
        // Conditions the agent never posted are added as kube adds them.
        var memory = world.Condition("a", "MemoryPressure")!;
        Assert.Equal(("Unknown", "NodeStatusNeverUpdated", "Kubelet never posted node status."), (memory.Status, memory.Reason, memory.Message));
        Assert.Equal(Unreachable, world.Taints("a"));
        Assert.Equal(world.Now, world.Nodes["a"].Spec.Taints!.Single(t => t.Effect == NodeTaints.NoExecute).TimeAdded);
        Assert.Null(world.Nodes["a"].Spec.Taints!.Single(t => t.Effect == NodeTaints.NoSchedule).TimeAdded);
        Assert.Equal(["p"], plan.PodsNotReady.Select(p => p.Metadata.Name));
        Assert.Equal("False", world.PodReady("p"));
        Assert.Equal("True", world.PodReady("q"));
        Assert.Empty(plan.Evictions);
        Assert.True(plan.Watching);
    }

    [Fact]
    public void Plan_NodeLoss_EvictsAtTheTaintPlusTheToleration_NotBefore()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a").Node("b").Pod("p", "a", LifecycleWorld.Defaults());
        world.Advance(8 * Second);
        world.Renew("b");

        world.Pass();

        world.Advance(15 * Second - TimeSpan.FromTicks(1));
        world.Renew("b");
        Assert.Empty(world.Pass().Evictions);

        world.Advance(TimeSpan.FromTicks(1));
        world.Renew("b");
        var eviction = Assert.Single(world.Pass().Evictions);
        Assert.Equal(("p", "a", NodeTaints.Unreachable), (eviction.Pod.Metadata.Name, eviction.Node, eviction.Taint.Key));
    }

    public static TheoryData<string, long?[], int?> Tolerations => new()
    {
        // name, tolerationSeconds of a toleration for unreachable:NoExecute per entry (none: no toleration), evicted after seconds (null: never)
        { "no toleration: at once", [], 0 },
        { "30 seconds", [30], 30 },
        { "no seconds: for ever", [null], null },
        { "negative: at once", [-5], 0 },
    };

    [Theory]
    [MemberData(nameof(Tolerations))]
    public void Plan_Eviction_HonoursTolerationSeconds(string name, long?[] seconds, int? evictedAfter)
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a").Node("b").Pod("p", "a", [.. seconds.SelectMany(s => LifecycleWorld.Tolerate(NodeTaints.Unreachable, s))]);
        world.Advance(8 * Second);
        world.Renew("b");
        world.Pass();

        for (var elapsed = 0; elapsed <= 60; elapsed++)
        {
            if (elapsed > 0)
            {
                world.Advance(Second);
                world.Renew("b");
                world.Pass();
            }
            Assert.True(world.Evicted.Contains("p") == (evictedAfter is { } after && elapsed >= after), $"{name}: evicted at {elapsed}s is {world.Evicted.Contains("p")}");
        }
    }

    [Fact]
    public void Plan_RenewalAfterTheLapse_RemovesLifecycleTaints_KeepingOthers_AndEvictsNothing()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a").Node("b").Pod("p", "a", LifecycleWorld.Defaults());
        world.Nodes["a"] = world.Nodes["a"] with { Spec = new NodeSpec { Taints = [new Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" }] } };
        world.Advance(8 * Second);
        world.Renew("b");
        world.Pass();
        Assert.Equal(["dedicated:NoSchedule", .. Unreachable], world.Taints("a"));

        world.Advance(10 * Second);
        world.Renew("a").Renew("b");
        var plan = world.Pass();

        Assert.Equal(["dedicated:NoSchedule"], world.Taints("a"));
        Assert.Equal(2, Assert.Single(plan.Nodes).Removed.Length);
        world.Advance(30 * Second);
        world.Renew("a").Renew("b");
        world.Pass();
        Assert.Empty(world.Evicted);
    }

    [Fact]
    public void Plan_AgentReportsNotReady_TaintsNotReady_AndSwapsToUnreachableWithoutTheLimiter()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a", ready: "False").Node("b").Node("c");

        world.Pass();
        Assert.Equal([$"{NodeTaints.NotReady}:NoExecute", $"{NodeTaints.NotReady}:NoSchedule"], world.Taints("a"));

        // b's lease lapses: the rate limiter holds its NoExecute taint back (a was tainted a moment ago) …
        world.Advance(8 * Second);
        world.Renew("c");
        world.Leases["a"] = world.Leases["a"] with { RenewTime = world.Now };
        var plan = world.Pass();
        Assert.Equal([$"{NodeTaints.Unreachable}:NoSchedule"], world.Taints("b"));
        Assert.Equal(world.Leases["a"].RenewTime - 8 * Second + 10 * Second, plan.NextPass);

        // … while a, already tainted for eviction, swaps to unreachable at once when its lease lapses too.
        world.Advance(8 * Second);
        world.Renew("c");
        world.Pass();
        Assert.Equal(Unreachable, world.Taints("a"));
        Assert.Equal(world.Now, world.Nodes["a"].Spec.Taints!.Single(t => t.Effect == NodeTaints.NoExecute).TimeAdded);
    }

    [Fact]
    public void Plan_RateLimit_IsPerZone_OneNodeEveryTenSecondsByDefault()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        foreach (var name in new[] { "a1", "a2", "a3", "a4", "a5", "a6" })
            world.Node(name, zone: "a");
        world.Node("b1", zone: "b").Node("b2", zone: "b");
        world.Advance(8 * Second);
        foreach (var name in new[] { "a3", "a4", "a5", "a6", "b2" })
            world.Renew(name);

        world.Pass();

        Assert.Equal(["a1", "b1"], Tainted());
        world.Advance(10 * Second - TimeSpan.FromTicks(1));
        foreach (var name in new[] { "a3", "a4", "a5", "a6", "b2" })
            world.Renew(name);
        var held = world.Pass();
        Assert.Equal(["a1", "b1"], Tainted());
        Assert.Equal(world.Now + TimeSpan.FromTicks(1), held.NextPass);
        world.Advance(TimeSpan.FromTicks(1));
        world.Pass();
        Assert.Equal(["a1", "a2", "b1"], Tainted());

        string[] Tainted() => [.. world.Nodes.Keys.Where(n => world.Taints(n).Contains($"{NodeTaints.Unreachable}:NoExecute")).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Plan_PartiallyDisruptedZone_GetsNoEvictionTaints()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a1", "a").Node("a2", "a").Node("a3", "a").Node("a4", "a").Node("b1", "b").Pod("p", "a1");
        world.Advance(8 * Second);
        world.Renew("a4").Renew("b1");

        var plan = world.Pass();

        Assert.Equal(ZoneState.PartialDisruption, plan.Zones["a"]);
        Assert.Equal(ZoneState.Normal, plan.Zones["b"]);
        foreach (var node in new[] { "a1", "a2", "a3" })
            Assert.Equal([$"{NodeTaints.Unreachable}:NoSchedule"], world.Taints(node));
        world.Advance(60 * Second);
        world.Renew("a4").Renew("b1");
        world.Pass();
        Assert.Empty(world.Evicted);
    }

    [Fact]
    public void Plan_TwoOfThreeNotReady_IsStillNormal_AsKubeCountsAtLeastThree()
    {
        Assert.Equal(ZoneState.Normal, ZoneDisruption.StateOf(ready: 1, notReady: 2, unhealthyThreshold: 0.55));
        Assert.Equal(ZoneState.PartialDisruption, ZoneDisruption.StateOf(ready: 2, notReady: 3, unhealthyThreshold: 0.55));
        Assert.Equal(ZoneState.Normal, ZoneDisruption.StateOf(ready: 3, notReady: 3, unhealthyThreshold: 0.55));
        Assert.Equal(ZoneState.FullDisruption, ZoneDisruption.StateOf(ready: 0, notReady: 1, unhealthyThreshold: 0.55));
    }

    [Fact]
    public void Plan_EveryZoneFullyDisrupted_LiftsEvictionTaints_AndEvictsNothing()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a", "z1").Node("b", "z2").Pod("p", "a", LifecycleWorld.Defaults());
        world.Advance(8 * Second);
        world.Renew("b");
        world.Pass();
        Assert.Equal(Unreachable, world.Taints("a"));

        // Now b goes silent too: no node anywhere is ready. The control plane's own link is the likelier fault.
        world.Advance(8 * Second);
        var plan = world.Pass();

        Assert.True(plan.AllZonesDisrupted);
        Assert.Equal([$"{NodeTaints.Unreachable}:NoSchedule"], world.Taints("a"));
        Assert.Equal([$"{NodeTaints.Unreachable}:NoSchedule"], world.Taints("b"));
        world.Advance(60 * Second);
        world.Pass();
        Assert.Empty(world.Evicted);
    }

    [Fact]
    public void Plan_OneZoneFullyDisrupted_WhileAnotherIsHealthy_EvictsThere()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a", "z1").Node("b", "z2").Pod("p", "a");
        world.Advance(8 * Second);
        world.Renew("b");

        var plan = world.Pass();

        Assert.Equal(ZoneState.FullDisruption, plan.Zones["z1"]);
        Assert.False(plan.AllZonesDisrupted);
        Assert.Equal(["p"], plan.Evictions.Select(e => e.Pod.Metadata.Name));
    }

    [Fact]
    public void Plan_AfterTheControllerStarts_JudgesNoLeaseForOneGracePeriod()
    {
        // A control plane back from an outage: every lease it can see is old.
        var world = new LifecycleWorld();
        world.Node("a").Node("b");
        world.Leases["a"] = world.Leases["a"] with { RenewTime = world.Now - TimeSpan.FromMinutes(10) };
        world.Leases.Remove("b");
        world.Nodes["b"] = world.Nodes["b"] with { Metadata = world.Nodes["b"].Metadata with { CreationTimestamp = world.Now - TimeSpan.FromHours(1) } };

        var plan = world.Pass();
        Assert.Empty(plan.Nodes);
        Assert.Equal(world.MonitorStart + 10 * Second, plan.NextPass);

        world.Advance(10 * Second - TimeSpan.FromTicks(1));
        Assert.Empty(world.Pass().Nodes);

        // Within the grace period b's agent renewed; a's did not.
        world.Renew("b");
        world.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(["a"], world.Pass().Nodes.Select(n => n.After.Metadata.Name));
    }

    [Fact]
    public void Plan_NodeWithoutALease_TurnsUnknownOneGracePeriodAfterItsCreation()
    {
        var world = new LifecycleWorld();
        world.Advance(30 * Second);
        world.BareNode("made-by-hand").Node("b");
        world.Advance(9 * Second);
        world.Renew("b");
        Assert.Empty(world.Pass().Nodes);

        world.Advance(Second);
        world.Renew("b");
        var change = Assert.Single(world.Pass().Nodes);

        Assert.True(change.BecameUnknown);
        var ready = world.Condition("made-by-hand", "Ready")!;
        Assert.Equal(("Unknown", "NodeStatusNeverUpdated", "Kubelet never posted node status."), (ready.Status, ready.Reason, ready.Message));
        Assert.Equal(Unreachable, world.Taints("made-by-hand"));
    }

    [Fact]
    public void Plan_LeaseLongerThanTheGracePeriod_IsCappedAtIt()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a").Node("b");
        world.Renew("a", TimeSpan.FromHours(1));
        world.Advance(10 * Second);
        world.Renew("b");

        Assert.Equal("Unknown", world.Pass().Nodes.Single().After.Status!.Conditions!.Single(c => c.Type == "Ready").Status);
    }

    [Fact]
    public void Plan_PodsBeingDeletedOrFinished_AreNeitherMarkedNorEvicted()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a").Node("b").Pod("deleting", "a").Pod("done", "a");
        world.Pods["deleting"] = world.Pods["deleting"] with { Metadata = world.Pods["deleting"].Metadata with { DeletionTimestamp = world.Now } };
        world.Pods["done"] = world.Pods["done"] with { Status = world.Pods["done"].Status! with { Phase = "Succeeded" } };
        world.Advance(8 * Second);
        world.Renew("b");

        var plan = world.Pass();

        Assert.Empty(plan.PodsNotReady);
        Assert.Equal(["done"], plan.Evictions.Select(e => e.Pod.Metadata.Name));
    }

    [Fact]
    public void Plan_NoNodes_HasNothingToWatch()
    {
        var plan = new LifecycleWorld().Pass();

        Assert.Null(plan.NextPass);
        Assert.False(plan.Watching);
    }

    [Fact]
    public void Plan_OperatorsNoExecuteTaint_EvictsPodsThatDoNotTolerateIt()
    {
        var world = new LifecycleWorld();
        world.Advance(20 * Second);
        world.Node("a").Pod("plain", "a", LifecycleWorld.Defaults()).Pod("tolerant", "a", [new Toleration { Key = "maintenance", Operator = "Exists" }]);
        world.Nodes["a"] = world.Nodes["a"] with { Spec = new NodeSpec { Taints = [new Taint { Key = "maintenance", Effect = "NoExecute", TimeAdded = world.Now }] } };

        var plan = world.Pass();

        Assert.Equal(["plain"], plan.Evictions.Select(e => e.Pod.Metadata.Name));
        Assert.Equal("maintenance", plan.Evictions[0].Taint.Key);
    }
}
