using Granary.Grains.Scheduling;
using Granary.Model;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

/// <summary>kube-scheduler's PodTopologySpread plugin: DoNotSchedule filters, ScheduleAnyway and system defaults score.</summary>
public class PodTopologySpreadTests
{
    private const string Zone = "topology.kubernetes.io/zone";
    private const string Host = "kubernetes.io/hostname";
    private const string Skewed = "node(s) didn't match pod topology spread constraints";
    private const string Missing = "node(s) didn't match pod topology spread constraints (missing required label)";

    private static Pod Web(string name, string? node = null, int second = 0) =>
        Pod(name, "100m", nodeName: node, createdSecond: second, labels: ParseLabels("app=web"));

    private static Pod Spreading(params TopologySpreadConstraint[] constraints) =>
        Pod("p", "100m", labels: ParseLabels("app=web"), spread: [.. constraints]);

    public static TheoryData<string, Node[], Pod[], Pod, string[]> FilterCases() => new()
    {
        {
            "hostname maxSkew 1: the node ahead by one is refused",
            [ZonedNode("a"), ZonedNode("b")],
            [Web("w0", "a")],
            Spreading(Spread(1, Host, "app=web")),
            [$"a={Skewed}", "b="]
        },
        {
            "maxSkew 2 tolerates one more",
            [ZonedNode("a"), ZonedNode("b")],
            [Web("w0", "a")],
            Spreading(Spread(2, Host, "app=web")),
            ["a=", "b="]
        },
        {
            "zone: counts add up over the zone's nodes",
            [ZonedNode("a", "z1"), ZonedNode("b", "z1"), ZonedNode("c", "z2")],
            [Web("w0", "a"), Web("w1", "c")],
            Spreading(Spread(1, Zone, "app=web")),
            ["a=", "b=", "c="]
        },
        {
            "zone: the zone ahead is refused on every node",
            [ZonedNode("a", "z1"), ZonedNode("b", "z1"), ZonedNode("c", "z2")],
            [Web("w0", "a"), Web("w1", "b")],
            Spreading(Spread(1, Zone, "app=web")),
            [$"a={Skewed}", $"b={Skewed}", "c="]
        },
        {
            "a node without the topology label is refused with kube's wording",
            [ZonedNode("a", "z1"), ZonedNode("b")],
            [],
            Spreading(Spread(1, Zone, "app=web")),
            ["a=", $"b={Missing}"]
        },
        {
            "minDomains above the domains there are: the minimum counts as 0",
            [ZonedNode("a"), ZonedNode("b")],
            [Web("w0", "a"), Web("w1", "b")],
            Spreading(Spread(1, Host, "app=web") with { MinDomains = 3 }),
            [$"a={Skewed}", $"b={Skewed}"]
        },
        {
            "pods of another namespace do not count",
            [ZonedNode("a"), ZonedNode("b")],
            [Pod("w0", nodeName: "a", ns: "other", labels: ParseLabels("app=web"))],
            Spreading(Spread(1, Host, "app=web")),
            ["a=", "b="]
        },
        {
            "terminating pods do not count",
            [ZonedNode("a"), ZonedNode("b")],
            [Web("w0", "a") with { Metadata = Web("w0").Metadata with { DeletionTimestamp = Epoch } }],
            Spreading(Spread(1, Host, "app=web")),
            ["a=", "b="]
        },
        {
            "nodeAffinityPolicy Honor (default): a node the pod cannot use is no domain",
            [ZonedNode("a", extra: ParseLabels("disk=ssd")), ZonedNode("b", extra: ParseLabels("disk=ssd")), ZonedNode("c")],
            [Web("w0", "a"), Web("w1", "b")],
            Spreading(Spread(1, Host, "app=web")) with { Spec = Spreading(Spread(1, Host, "app=web")).Spec with { NodeSelector = ParseLabels("disk=ssd") } },
            ["a=", "b=", "c="]
        },
        {
            "nodeAffinityPolicy Ignore: that node's empty domain is the minimum",
            [ZonedNode("a", extra: ParseLabels("disk=ssd")), ZonedNode("b", extra: ParseLabels("disk=ssd")), ZonedNode("c")],
            [Web("w0", "a"), Web("w1", "b")],
            Spreading(Spread(1, Host, "app=web") with { NodeAffinityPolicy = "Ignore" }),
            [$"a={Skewed}", $"b={Skewed}", "c="]
        },
        {
            "matchLabelKeys: only the pod's own revision counts",
            [ZonedNode("a"), ZonedNode("b")],
            [Pod("old", nodeName: "a", labels: ParseLabels("app=web,hash=1")), Pod("old2", nodeName: "a", labels: ParseLabels("app=web,hash=1"))],
            Pod("p", labels: ParseLabels("app=web,hash=2"), spread: [Spread(1, Host, "app=web") with { MatchLabelKeys = ["hash"] }]),
            ["a=", "b="]
        },
        {
            "ScheduleAnyway never filters",
            [ZonedNode("a"), ZonedNode("b")],
            [Web("w0", "a"), Web("w1", "a")],
            Spreading(Spread(1, Host, "app=web", "ScheduleAnyway")),
            ["a=", "b="]
        },
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Filter_Table(string name, Node[] nodeList, Pod[] bound, Pod pod, string[] expected)
    {
        NodeSnapshot[] nodes = [.. NodeSnapshot.Build(nodeList, bound)];
        var placements = PodPlacements.Build(nodes, bound, new Dictionary<string, IReadOnlyDictionary<string, string>>());
        var filter = PodTopologySpread.PreFilter(PodRequirements.Of(pod), nodes, placements);

        var actual = nodes.Select(n => $"{n.Name}={filter?.Reason(n)}");

        Assert.True(expected.SequenceEqual(actual), $"{name}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
    }

    [Fact]
    public void Plan_FourReplicasMaxSkewOneOverTwoNodes_SpreadTwoAndTwoAgainstLoad()
    {
        // Node a is emptier, so resources alone would put more there; the constraint keeps the counts within one.
        var replicas = Enumerable.Range(0, 4)
            .Select(i => Pod($"w{i}", "100m", createdSecond: i, labels: ParseLabels("app=web"), spread: [Spread(1, Host, "app=web")]))
            .ToArray();

        var plan = SchedulingPlanner.Plan([ZonedNode("a", cpu: "16"), ZonedNode("b")], [], replicas);

        Assert.Equal(2, plan.Assignments.Count(a => a.NodeName == "a"));
        Assert.Equal(2, plan.Assignments.Count(a => a.NodeName == "b"));
    }

    [Fact]
    public void Plan_DoNotScheduleUnsatisfiable_ReportsConstraintInMessage()
    {
        var plan = SchedulingPlanner.Plan(
            [ZonedNode("a"), ZonedNode("b", cpu: "1")],
            [Web("w0", "a"), Pod("big", "1", nodeName: "b")],
            [Spreading(Spread(1, Host, "app=web"))]);

        Assert.Equal(
            "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints.",
            Assert.Single(plan.Unschedulable).Message);
    }

    [Fact]
    public void Plan_ScheduleAnyway_PrefersTheEmptierDomain()
    {
        var plan = SchedulingPlanner.Plan(
            [ZonedNode("a", "z1"), ZonedNode("b", "z2")],
            [Web("w0", "b"), Web("w1", "b"), Pod("load", "2", "4Gi", nodeName: "a")],
            [Spreading(Spread(1, Zone, "app=web", "ScheduleAnyway"))]);

        Assert.Equal("a", Assert.Single(plan.Assignments).NodeName);
    }

    [Theory]
    // owned by the ReplicaSet the default selector names | expected node
    [InlineData(true, "b")]
    [InlineData(false, "a")]
    public void Plan_SystemDefaultSpreading_SpreadsAReplicaSetAgainstALighterLoad(bool owned, string expected)
    {
        // a holds one replica and is otherwise idle; b runs an unrelated, larger pod. Resources favour a; the default
        // hostname constraint (maxSkew 3, weight 2) favours b for a replica, as kube-scheduler does.
        var defaults = new SchedulingContext(
            new Dictionary<string, IReadOnlyDictionary<string, string>>(),
            new SpreadSelectors([], new Dictionary<string, LabelSelectorSpec> { ["rs-uid"] = Selects("app=web") }));
        var bound = new[] { Pod("w0", "100m", "64Mi", nodeName: "a", labels: ParseLabels("app=web"), ownerUid: "rs-uid"), Pod("other", "1", "1Gi", nodeName: "b") };

        var plan = SchedulingPlanner.Plan(
            [ZonedNode("a"), ZonedNode("b")], bound,
            [Pod("w1", "100m", "64Mi", labels: ParseLabels("app=web"), ownerUid: owned ? "rs-uid" : null)], context: defaults);

        Assert.Equal(expected, Assert.Single(plan.Assignments).NodeName);
    }

    [Fact]
    public void SpreadSelectors_ServiceAndReplicaSet_MergeAsKubeDefaultSelector()
    {
        var service = new Service { Metadata = new() { Name = "web", Namespace = "default" }, Spec = new() { Selector = ParseLabels("app=web") } };
        var elsewhere = new Service { Metadata = new() { Name = "web", Namespace = "other" }, Spec = new() { Selector = ParseLabels("tier=x") } };
        var headless = new Service { Metadata = new() { Name = "all", Namespace = "default" }, Spec = new() };
        var selectors = new SpreadSelectors([service, elsewhere, headless], new Dictionary<string, LabelSelectorSpec> { ["rs-uid"] = Selects("app=web,hash=1") });

        Assert.Equal("app=web,app=web,hash=1", selectors.For(Pod("p", labels: ParseLabels("app=web,hash=1"), ownerUid: "rs-uid"))?.ToString());
        Assert.Equal("app=web", selectors.For(Pod("p", labels: ParseLabels("app=web")))?.ToString());
        Assert.Null(selectors.For(Pod("p", labels: ParseLabels("app=db"))));
    }

    [Fact]
    public void Scores_KubeFormula_HostnameMaxSkewThree()
    {
        // Two feasible nodes: weight ln(4); a holds one match → round(1·1.386 + 2) = 3, b → 2; normalized
        // 100·(3+2−3)/3 = 66 and 100·(3+2−2)/3 = 100.
        NodeSnapshot[] nodes = [.. NodeSnapshot.Build([ZonedNode("a"), ZonedNode("b")], [Web("w0", "a")])];
        var placements = PodPlacements.Build(nodes, [Web("w0", "a")], new Dictionary<string, IReadOnlyDictionary<string, string>>());
        var pod = PodRequirements.Of(Spreading(Spread(3, Host, "app=web", "ScheduleAnyway")));

        var scores = PodTopologySpread.Scores(pod, nodes, [0, 1], placements, SpreadSelectors.None);

        Assert.Equal([66L, 100L], scores!);
    }

    [Fact]
    public void Placements_CountsKeptCurrentAsThePassPlacesPods()
    {
        NodeSnapshot[] nodes = [.. NodeSnapshot.Build([ZonedNode("a"), ZonedNode("b")], [])];
        var placements = PodPlacements.Build(nodes, [Web("w0", "a")], new Dictionary<string, IReadOnlyDictionary<string, string>>());
        var term = AffinityTerm.InNamespace("default", Granary.Selectors.LabelSelector.Parse("app=web"), Host);

        var before = placements.CountsPerNode([term], skipTerminating: true).ToArray();
        placements.Add(Web("w1", "b"), 1);
        placements.Add(Pod("db", labels: ParseLabels("app=db")), 1);

        Assert.Equal([1, 0], before);
        Assert.Equal([1, 1], placements.CountsPerNode([term], skipTerminating: true));
    }
}
