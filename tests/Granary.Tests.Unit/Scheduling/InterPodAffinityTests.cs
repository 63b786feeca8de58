using Granary.Grains.Scheduling;
using Granary.Model;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

/// <summary>kube-scheduler's InterPodAffinity plugin, in the style of its filtering and scoring tests.</summary>
public class InterPodAffinityTests
{
    private const string Zone = "topology.kubernetes.io/zone";
    private const string AffinityReason = "node(s) didn't match pod affinity rules";
    private const string AntiReason = "node(s) didn't match pod anti-affinity rules";
    private const string ExistingReason = "node(s) didn't satisfy existing pods anti-affinity rules";

    private static readonly Node[] ThreeNodesTwoZones = [ZonedNode("a", "z1"), ZonedNode("b", "z1"), ZonedNode("c", "z2")];

    public static TheoryData<string, Pod[], Pod, string[]> FilterCases() => new()
    {
        {
            "required affinity: only the zone holding a matching pod",
            [Pod("db", nodeName: "a", labels: ParseLabels("app=db"))],
            Pod("p", affinity: RequiredAffinity(Term("app=db", Zone))),
            ["a=", "b=", $"c={AffinityReason}"]
        },
        {
            "required affinity: nothing matches and the pod does not select itself",
            [Pod("other", nodeName: "a", labels: ParseLabels("app=web"))],
            Pod("p", affinity: RequiredAffinity(Term("app=db", Zone))),
            [$"a={AffinityReason}", $"b={AffinityReason}", $"c={AffinityReason}"]
        },
        {
            "required affinity: the first pod of a group selecting itself may land anywhere",
            [],
            Pod("p", labels: ParseLabels("app=db"), affinity: RequiredAffinity(Term("app=db", Zone))),
            ["a=", "b=", "c="]
        },
        {
            "required affinity: once one of the group runs, the rest follow it",
            [Pod("db-0", nodeName: "c", labels: ParseLabels("app=db"))],
            Pod("p", labels: ParseLabels("app=db"), affinity: RequiredAffinity(Term("app=db", Zone))),
            [$"a={AffinityReason}", $"b={AffinityReason}", "c="]
        },
        {
            "required affinity: a node without the topology label never fits",
            [Pod("db", nodeName: "a", labels: ParseLabels("app=db"))],
            Pod("p", affinity: RequiredAffinity(Term("app=db", "rack"))),
            [$"a={AffinityReason}", $"b={AffinityReason}", $"c={AffinityReason}"]
        },
        {
            "required affinity: pods of another namespace do not count unless named",
            [Pod("db", nodeName: "a", ns: "data", labels: ParseLabels("app=db"))],
            Pod("p", affinity: RequiredAffinity(Term("app=db", Zone))),
            [$"a={AffinityReason}", $"b={AffinityReason}", $"c={AffinityReason}"]
        },
        {
            "required affinity: namespaces name the other namespace",
            [Pod("db", nodeName: "c", ns: "data", labels: ParseLabels("app=db"))],
            Pod("p", affinity: RequiredAffinity(Term("app=db", Zone) with { Namespaces = ["data"] })),
            [$"a={AffinityReason}", $"b={AffinityReason}", "c="]
        },
        {
            "required affinity: an empty namespaceSelector selects every namespace",
            [Pod("db", nodeName: "c", ns: "data", labels: ParseLabels("app=db"))],
            Pod("p", affinity: RequiredAffinity(Term("app=db", Zone) with { NamespaceSelector = new() })),
            [$"a={AffinityReason}", $"b={AffinityReason}", "c="]
        },
        {
            "required anti-affinity by hostname: only the node holding a match",
            [Pod("web-0", nodeName: "a", labels: ParseLabels("app=web"))],
            Pod("p", labels: ParseLabels("app=web"), affinity: RequiredAntiAffinity(Term("app=web"))),
            [$"a={AntiReason}", "b=", "c="]
        },
        {
            "required anti-affinity by zone: the whole zone",
            [Pod("web-0", nodeName: "a", labels: ParseLabels("app=web"))],
            Pod("p", affinity: RequiredAntiAffinity(Term("app=web", Zone))),
            [$"a={AntiReason}", $"b={AntiReason}", "c="]
        },
        {
            "existing pods' anti-affinity keeps a matching pod out of their domain",
            [Pod("loner", nodeName: "b", labels: ParseLabels("app=loner"), affinity: RequiredAntiAffinity(Term("app=web", Zone)))],
            Pod("p", labels: ParseLabels("app=web")),
            [$"a={ExistingReason}", $"b={ExistingReason}", "c="]
        },
        {
            "existing pods' anti-affinity ignores a pod it does not select",
            [Pod("loner", nodeName: "b", labels: ParseLabels("app=loner"), affinity: RequiredAntiAffinity(Term("app=web", Zone)))],
            Pod("p", labels: ParseLabels("app=db")),
            ["a=", "b=", "c="]
        },
        {
            "a terminal pod holds nothing",
            [Pod("web-0", nodeName: "a", phase: "Succeeded", labels: ParseLabels("app=web"))],
            Pod("p", affinity: RequiredAntiAffinity(Term("app=web"))),
            ["a=", "b=", "c="]
        },
        {
            "matchLabelKeys: only pods of the same revision repel",
            [Pod("old", nodeName: "a", labels: ParseLabels("app=web,hash=1")), Pod("new", nodeName: "b", labels: ParseLabels("app=web,hash=2"))],
            Pod("p", labels: ParseLabels("app=web,hash=2"), affinity: RequiredAntiAffinity(Term("app=web") with { MatchLabelKeys = ["hash"] })),
            ["a=", $"b={AntiReason}", "c="]
        },
        {
            "mismatchLabelKeys: only pods of other tenants repel",
            [Pod("mine", nodeName: "a", labels: ParseLabels("tenant=t1")), Pod("theirs", nodeName: "c", labels: ParseLabels("tenant=t2"))],
            Pod("p", labels: ParseLabels("tenant=t1"), affinity: RequiredAntiAffinity(
                new PodAffinityTerm { LabelSelector = new() { MatchExpressions = [new() { Key = "tenant", Operator = "Exists" }] }, TopologyKey = Zone, MismatchLabelKeys = ["tenant"] })),
            ["a=", "b=", $"c={AntiReason}"]
        },
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Filter_Table(string name, Pod[] bound, Pod pod, string[] expected)
    {
        NodeSnapshot[] nodes = [.. NodeSnapshot.Build(ThreeNodesTwoZones, bound)];
        var placements = PodPlacements.Build(nodes, bound, new Dictionary<string, IReadOnlyDictionary<string, string>>());
        var filter = InterPodAffinity.PreFilter(PodRequirements.Of(pod), nodes, placements);

        var actual = nodes.Select(n => $"{n.Name}={filter?.Reason(n)}");

        Assert.True(expected.SequenceEqual(actual), $"{name}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
    }

    [Fact]
    public void Filter_NamespaceSelector_MatchesNamespaceLabels()
    {
        Pod[] bound = [Pod("db", nodeName: "c", ns: "data", labels: ParseLabels("app=db")), Pod("db2", nodeName: "a", ns: "scratch", labels: ParseLabels("app=db"))];
        NodeSnapshot[] nodes = [.. NodeSnapshot.Build(ThreeNodesTwoZones, bound)];
        var namespaces = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["data"] = ParseLabels("tier=data"), ["scratch"] = ParseLabels("tier=tmp") };
        var placements = PodPlacements.Build(nodes, bound, namespaces);
        var pod = Pod("p", affinity: RequiredAffinity(Term("app=db", Zone) with { NamespaceSelector = Selects("tier=data") }));

        var filter = InterPodAffinity.PreFilter(PodRequirements.Of(pod), nodes, placements)!;

        Assert.Equal([AffinityReason, AffinityReason, null], nodes.Select(filter.Reason));
    }

    [Fact]
    public void Plan_FourReplicasAntiAffineByHostnameOnTwoNodes_TwoBoundTwoWithKubesMessage()
    {
        var replicas = Enumerable.Range(0, 4)
            .Select(i => Pod($"web-{i}", "100m", createdSecond: i, labels: ParseLabels("app=web"), affinity: RequiredAntiAffinity(Term("app=web"))))
            .ToArray();

        var plan = SchedulingPlanner.Plan([ZonedNode("a"), ZonedNode("b")], [], replicas);

        Assert.Equal(["web-0=a", "web-1=b"], Placed(plan));
        Assert.Equal(
            ["0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules.", "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules."],
            plan.Unschedulable.Select(u => u.Message));
    }

    [Fact]
    public void Plan_PodWithoutTermsNextToAntiAffinePod_ReportsExistingRule()
    {
        var plan = SchedulingPlanner.Plan(
            [ZonedNode("a")],
            [Pod("loner", nodeName: "a", affinity: RequiredAntiAffinity(Term("app=web")))],
            [Pod("web", labels: ParseLabels("app=web"))]);

        Assert.Equal("0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules.", Assert.Single(plan.Unschedulable).Message);
    }

    [Fact]
    public void Plan_GroupWithAffinityToItself_AllLandInTheFirstOnesZone()
    {
        var group = Enumerable.Range(0, 3)
            .Select(i => Pod($"db-{i}", "100m", createdSecond: i, labels: ParseLabels("app=db"), affinity: RequiredAffinity(Term("app=db", Zone))))
            .ToArray();

        var plan = SchedulingPlanner.Plan([ZonedNode("a", "z1"), ZonedNode("c", "z2")], [], group);

        Assert.Equal(3, plan.Assignments.Length);
        Assert.Single(plan.Assignments.Select(a => a.NodeName).Distinct());
    }

    public static TheoryData<string, Pod[], Pod, string> ScoreCases() => new()
    {
        {
            "preferred affinity pulls towards the matching pod's zone",
            [Pod("cache", nodeName: "c", labels: ParseLabels("app=cache"))],
            Pod("p", affinity: new() { PodAffinity = new() { PreferredDuringSchedulingIgnoredDuringExecution = [new() { Weight = 10, PodAffinityTerm = Term("app=cache", Zone) }] } }),
            "c"
        },
        {
            "preferred anti-affinity pushes away from the matching pod",
            [Pod("web-0", nodeName: "a", labels: ParseLabels("app=web")), Pod("web-1", nodeName: "b", labels: ParseLabels("app=web"))],
            Pod("p", affinity: new() { PodAntiAffinity = new() { PreferredDuringSchedulingIgnoredDuringExecution = [new() { Weight = 10, PodAffinityTerm = Term("app=web", Zone) }] } }),
            "c"
        },
        {
            "an existing pod's required affinity to the pod draws it (hardPodAffinityWeight)",
            [Pod("client", nodeName: "c", affinity: RequiredAffinity(Term("app=server", Zone)))],
            Pod("p", labels: ParseLabels("app=server")),
            "c"
        },
        {
            "an existing pod's preferred anti-affinity to the pod repels it",
            [Pod("quiet", nodeName: "a", affinity: new() { PodAntiAffinity = new() { PreferredDuringSchedulingIgnoredDuringExecution = [new() { Weight = 50, PodAffinityTerm = Term("app=noisy", Zone) }] } }),
             Pod("filler", "1", nodeName: "c")],
            Pod("p", labels: ParseLabels("app=noisy")),
            "c"
        },
    };

    [Theory]
    [MemberData(nameof(ScoreCases))]
    public void Plan_ScoreTable(string name, Pod[] bound, Pod pod, string expected)
    {
        var plan = SchedulingPlanner.Plan(ThreeNodesTwoZones, bound, [pod]);

        Assert.True(expected == Assert.Single(plan.Assignments).NodeName, $"{name}: expected {expected}, got {plan.Assignments[0].NodeName}");
    }

    [Theory]
    [InlineData(new long[] { -10, 0, 10 }, new long[] { 0, 50, 100 })]
    [InlineData(new long[] { 5, 5 }, new long[] { 0, 0 })]
    public void NormalizeMinMax_AsKube(long[] raw, long[] expected)
    {
        Assert.Equal(expected, NodeScores.NormalizeMinMax(raw));
    }
}
