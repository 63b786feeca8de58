using Granary.Model;
using Granary.Printing.Tables;

namespace Granary.Tests.Unit.Cli;

public class StatefulSetTableTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void StatefulSet_ColumnsAndCells_AsKubectlPrintsThem()
    {
        var table = KindTables.For(ResourceKinds.StatefulSet);
        var set = new StatefulSet
        {
            Metadata = new ObjectMeta { Name = "web", CreationTimestamp = Now.AddSeconds(-75) },
            Spec = new StatefulSetSpec
            {
                Replicas = 3,
                Template = new PodTemplateSpec
                {
                    Spec = new PodSpec { Containers = [new Container { Name = "nginx", Image = "local/nginx:1" }, new Container { Name = "log", Image = "local/busybox:1" }] },
                },
            },
            Status = new StatefulSetStatus { Replicas = 3, ReadyReplicas = 2 },
        };

        Assert.Equal(["Name", "Ready", "Age", "Containers", "Images"], table.Columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 1, 1], table.Columns.Select(c => c.Priority));
        Assert.Equal(["web", "2/3", "75s", "nginx,log", "local/nginx:1,local/busybox:1"], table.Cells(set, Now));
    }

    [Fact]
    public void StatefulSet_WithoutStatus_IsNoneReadyOfItsReplicas()
    {
        var set = new StatefulSet { Metadata = new ObjectMeta { Name = "web", CreationTimestamp = Now }, Spec = new StatefulSetSpec { Replicas = 2 } };

        Assert.Equal("0/2", KindTables.For(ResourceKinds.StatefulSet).Cells(set, Now)[1]);
    }
}
