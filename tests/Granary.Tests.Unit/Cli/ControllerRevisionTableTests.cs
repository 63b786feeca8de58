using Granary.Model;
using Granary.Printing.Tables;

namespace Granary.Tests.Unit.Cli;

public class ControllerRevisionTableTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ControllerRevision_ColumnsAndCells_AsKubectlPrintsThem()
    {
        var table = KindTables.For(ResourceKinds.ControllerRevision);
        var revision = new ControllerRevision
        {
            Metadata = new ObjectMeta
            {
                Name = "agent-7b7cbb95bd", CreationTimestamp = Now.AddMinutes(-3),
                OwnerReferences = [new OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = "agent", Uid = "u", Controller = true }],
            },
            Revision = 2,
        };

        Assert.Equal(["Name", "Controller", "Revision", "Age"], table.Columns.Select(c => c.Name));
        Assert.Equal(["agent-7b7cbb95bd", "daemonset.apps/agent", "2", "3m"], table.Cells(revision, Now));
    }

    [Fact]
    public void ControllerRevision_WithoutController_PrintsNone()
    {
        var revision = new ControllerRevision { Metadata = new ObjectMeta { Name = "x" } };

        Assert.Equal("<none>", KindTables.For(ResourceKinds.ControllerRevision).Cells(revision, Now)[1]);
    }
}

public class DaemonSetTableTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DaemonSet_ColumnsAndCells_AsKubectlPrintsThem()
    {
        var table = KindTables.For(ResourceKinds.DaemonSet);
        var ds = new DaemonSet
        {
            Metadata = new ObjectMeta { Name = "agent", CreationTimestamp = Now.AddMinutes(-2) },
            Spec = new DaemonSetSpec
            {
                Selector = new LabelSelectorSpec { MatchLabels = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("app", "agent") },
                Template = new PodTemplateSpec
                {
                    Spec = new PodSpec
                    {
                        NodeSelector = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("disk", "ssd"),
                        Containers = [new Container { Name = "agent", Image = "local/busybox:1" }],
                    },
                },
            },
            Status = new DaemonSetStatus { DesiredNumberScheduled = 3, CurrentNumberScheduled = 2, NumberReady = 1, UpdatedNumberScheduled = 2, NumberAvailable = 1 },
        };

        Assert.Equal(["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age", "Containers", "Images", "Selector"], table.Columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1], table.Columns.Select(c => c.Priority));
        Assert.Equal(["agent", "3", "2", "1", "2", "1", "disk=ssd", "2m", "agent", "local/busybox:1", "app=agent"], table.Cells(ds, Now));
    }

    [Fact]
    public void DaemonSet_WithoutNodeSelectorOrStatus_PrintsNoneAndZeros()
    {
        var ds = new DaemonSet { Metadata = new ObjectMeta { Name = "agent" } };

        Assert.Equal(["agent", "0", "0", "0", "0", "0", "<none>"], KindTables.For(ResourceKinds.DaemonSet).Cells(ds, Now).Take(7));
    }
}
