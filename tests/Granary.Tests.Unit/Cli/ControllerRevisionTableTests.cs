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
