using System.Collections.Immutable;
using Granary.Grains.Scheduling;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

public class NodeFiltersTests
{
    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "node(s) were unschedulable")]
    public void Unschedulable_BySpec_ReportsReason(bool unschedulable, string? expected)
    {
        Assert.Equal(expected, NodeFilters.Unschedulable(Snapshot(Node("n", unschedulable: unschedulable)), PodRequirements.Of(Pod("p"))));
    }

    [Theory]
    [InlineData("Ready", "True", null)]
    [InlineData("Ready", "False", "node(s) were not ready")]
    [InlineData("Ready", "Unknown", "node(s) were not ready")]
    [InlineData("MemoryPressure", "True", "node(s) were not ready")]
    [InlineData(null, null, "node(s) were not ready")]
    public void NotReady_ByReadyCondition_ReportsReason(string? type, string? status, string? expected)
    {
        var node = Node("n") with
        {
            Status = new() { Conditions = type is null ? null : [new() { Type = type, Status = status! }] },
        };

        Assert.Equal(expected, NodeFilters.NotReady(Snapshot(node), PodRequirements.Of(Pod("p"))));
    }

    [Theory]
    // Ready status | toleration key, effect | expected
    [InlineData("False", "node.kubernetes.io/not-ready", "NoSchedule", null)]
    [InlineData("False", "node.kubernetes.io/not-ready", "", null)]
    [InlineData("False", "node.kubernetes.io/unreachable", "NoSchedule", "node(s) were not ready")]
    [InlineData("Unknown", "node.kubernetes.io/unreachable", "NoSchedule", null)]
    [InlineData("Unknown", "node.kubernetes.io/not-ready", "NoSchedule", "node(s) were not ready")]
    // A DaemonSet pod's own tolerations are NoExecute: as in kube, they do not let it onto a node that is not ready.
    [InlineData("False", "node.kubernetes.io/not-ready", "NoExecute", "node(s) were not ready")]
    [InlineData("Unknown", "node.kubernetes.io/unreachable", "NoExecute", "node(s) were not ready")]
    [InlineData("Unknown", "", "", null)]
    public void NotReady_PodToleratingTheMatchingTaint_Passes(string status, string key, string effect, string? expected)
    {
        var node = Node("n") with { Status = Node("n").Status! with { Conditions = [new() { Type = "Ready", Status = status }] } };
        var pod = Pod("p", tolerations: [new() { Key = key, Operator = "Exists", Effect = effect }]);

        Assert.Equal(expected, NodeFilters.NotReady(Snapshot(node), PodRequirements.Of(pod)));
    }

    [Theory]
    [InlineData("node.kubernetes.io/unschedulable", "NoSchedule", null)]
    [InlineData("node.kubernetes.io/unschedulable", "NoExecute", "node(s) were unschedulable")]
    [InlineData("other", "NoSchedule", "node(s) were unschedulable")]
    public void Unschedulable_PodToleratingTheUnschedulableTaint_Passes(string key, string effect, string? expected)
    {
        var pod = Pod("p", tolerations: [new() { Key = key, Operator = "Exists", Effect = effect }]);

        Assert.Equal(expected, NodeFilters.Unschedulable(Snapshot(Node("n", unschedulable: true)), PodRequirements.Of(pod)));
    }

    [Theory]
    // taint key, value, effect | toleration key, operator, value | expected
    [InlineData("gpu", "true", "NoSchedule", null, null, null, "node(s) had untolerated taint {gpu: true}")]
    [InlineData("gpu", null, "NoExecute", null, null, null, "node(s) had untolerated taint {gpu: }")]
    [InlineData("gpu", "true", "PreferNoSchedule", null, null, null, null)]
    [InlineData("gpu", "true", "NoSchedule", "gpu", "Equal", "true", null)]
    [InlineData("gpu", "true", "NoSchedule", "gpu", "Equal", "false", "node(s) had untolerated taint {gpu: true}")]
    [InlineData("gpu", "true", "NoSchedule", "gpu", "Exists", null, null)]
    [InlineData("gpu", "true", "NoSchedule", null, "Exists", null, null)]
    public void UntoleratedTaint_Table_ReportsTaint(
        string taintKey, string? taintValue, string effect, string? key, string? op, string? value, string? expected)
    {
        var node = Node("n", taints: [new() { Key = taintKey, Value = taintValue, Effect = effect }]);
        var pod = Pod("p", tolerations: op is null ? null : [new() { Key = key, Operator = op, Value = value }]);

        Assert.Equal(expected, NodeFilters.UntoleratedTaint(Snapshot(node), PodRequirements.Of(pod)));
    }

    [Fact]
    public void UntoleratedTaint_SeveralUntolerated_ReportsFirstInNodeOrder()
    {
        var node = Node("n", taints:
        [
            new() { Key = "soft", Value = "x", Effect = "PreferNoSchedule" },
            new() { Key = "tolerated", Value = "y", Effect = "NoSchedule" },
            new() { Key = "second", Value = "z", Effect = "NoExecute" },
            new() { Key = "third", Value = "w", Effect = "NoSchedule" },
        ]);
        var pod = Pod("p", tolerations: [new() { Key = "tolerated", Operator = "Exists" }]);

        Assert.Equal("node(s) had untolerated taint {second: z}", NodeFilters.UntoleratedTaint(Snapshot(node), PodRequirements.Of(pod)));
    }

    [Theory]
    [InlineData("", "", null)]
    [InlineData("disk=ssd", "", "node(s) didn't match Pod's node affinity/selector")]
    [InlineData("disk=ssd", "disk=ssd", null)]
    [InlineData("disk=ssd", "disk=hdd", "node(s) didn't match Pod's node affinity/selector")]
    [InlineData("disk=ssd,zone=a", "disk=ssd,zone=a,rack=1", null)]
    [InlineData("disk=ssd,zone=a", "disk=ssd,zone=b", "node(s) didn't match Pod's node affinity/selector")]
    [InlineData("", "disk=ssd", null)]
    public void NodeAffinity_NodeSelectorTable_MatchesLabels(string selector, string labels, string? expected)
    {
        var node = Node("n", labels: ParseLabels(labels));
        var pod = Pod("p", nodeSelector: ParseLabels(selector));

        Assert.Equal(expected, NodeFilters.NodeAffinity(Snapshot(node), PodRequirements.Of(pod)));
    }

    [Theory]
    // node cpu, memory, pods | bound pod cpu, memory | pod cpu, memory | reasons
    [InlineData("1", "1Gi", "10", "500m", "512Mi", "500m", "512Mi", "")]
    [InlineData("1", "1Gi", "10", "500m", "512Mi", "501m", "512Mi", "Insufficient cpu")]
    [InlineData("1", "1Gi", "10", "500m", "512Mi", "500m", "513Mi", "Insufficient memory")]
    [InlineData("1", "1Gi", "10", "500m", "512Mi", "2", "2Gi", "Insufficient cpu|Insufficient memory")]
    [InlineData("1", "1Gi", "1", "100m", "1Mi", "100m", "1Mi", "Too many pods")]
    [InlineData("1", "1Gi", "1", "1", "1Gi", "1", "1Gi", "Too many pods|Insufficient cpu|Insufficient memory")]
    [InlineData("1", "1Gi", "10", "2", "2Gi", null, null, "")]
    [InlineData(null, null, "10", null, null, "1m", null, "Insufficient cpu")]
    public void Resources_Table_ReportsEveryShortfall(
        string? cpu, string? memory, string pods, string? boundCpu, string? boundMemory, string? podCpu, string? podMemory, string expected)
    {
        var node = Snapshot(Node("n", cpu, memory, pods), Pod("bound", boundCpu, boundMemory, nodeName: "n"));
        var request = ResourceAmounts.RequestsOf(Pod("p", podCpu, podMemory));

        Assert.Equal(expected, string.Join("|", NodeFilters.Resources(node, request)));
    }

    [Fact]
    public void Reasons_SeveralFiltersFail_ReportsOnlyTheFirst()
    {
        var node = Node("n", cpu: "1", ready: false, unschedulable: true,
            taints: [new() { Key = "k", Value = "v", Effect = "NoSchedule" }], labels: Labels(("disk", "hdd")));
        var pod = PodRequirements.Of(Pod("p", cpu: "2", nodeSelector: Labels(("disk", "ssd"))));

        var schedulable = node with { Spec = node.Spec with { Unschedulable = null } };

        Assert.Equal("node(s) were unschedulable", string.Join("|", NodeFilters.Reasons(Snapshot(node), pod)));
        Assert.Equal("node(s) were not ready", string.Join("|", NodeFilters.Reasons(Snapshot(schedulable), pod)));
    }

    [Theory]
    [InlineData("taint", "node(s) had untolerated taint {k: v}")]
    [InlineData("selector", "node(s) didn't match Pod's node affinity/selector")]
    [InlineData("resources", "Insufficient cpu|Insufficient memory")]
    [InlineData("fits", "")]
    public void Reasons_InOrder_TaintsThenSelectorThenResources(string failing, string expected)
    {
        var node = Node("n", cpu: "1", memory: "1Gi",
            taints: failing == "taint" ? [new() { Key = "k", Value = "v", Effect = "NoSchedule" }] : null,
            labels: Labels(("disk", failing is "taint" or "selector" ? "hdd" : "ssd")));
        var pod = PodRequirements.Of(Pod("p", cpu: failing == "fits" ? "1" : "2", memory: failing == "fits" ? "1Gi" : "2Gi",
            nodeSelector: Labels(("disk", "ssd"))));

        Assert.Equal(expected, string.Join("|", NodeFilters.Reasons(Snapshot(node), pod)));
        Assert.Equal(failing == "fits", NodeFilters.Fits(Snapshot(node), pod));
    }

    private static ImmutableSortedDictionary<string, string>? ParseLabels(string text) =>
        text.Length == 0 ? null : Labels([.. text.Split(',').Select(p => p.Split('=')).Select(kv => (kv[0], kv[1]))]);
}
