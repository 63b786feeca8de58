using System.Collections.Immutable;
using Granary.Model;
using Granary.Printing.Tables;

namespace Granary.Tests.Unit.Cli;

public class WorkloadTableTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly LabelSelectorSpec Selector = new()
    {
        MatchLabels = ImmutableSortedDictionary<string, string>.Empty.Add("app", "web"),
        MatchExpressions = [new LabelSelectorRequirementSpec { Key = "tier", Operator = "In", Values = ["fe", "be"] }],
    };

    private static readonly PodTemplateSpec Template = new()
    {
        Spec = new PodSpec { Containers = [new Container { Name = "web", Image = "local/web:1" }, new Container { Name = "log", Image = "local/log:2" }] },
    };

    [Fact]
    public void Deployment_ColumnsAndCells_AsKubectlPrintsThem()
    {
        var table = KindTables.For(ResourceKinds.Deployment);
        var d = new Deployment
        {
            Metadata = new ObjectMeta { Name = "web", CreationTimestamp = Now.AddMinutes(-5) },
            Spec = new DeploymentSpec { Replicas = 3, Selector = Selector, Template = Template },
            Status = new DeploymentStatus { ReadyReplicas = 2, UpdatedReplicas = 3, AvailableReplicas = 1 },
        };

        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"], table.Columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1], table.Columns.Select(c => c.Priority));
        Assert.Equal(["web", "2/3", "3", "1", "5m", "web,log", "local/web:1,local/log:2", "app=web,tier in (be,fe)"], table.Cells(d, Now));
    }

    [Fact]
    public void Deployment_WithoutStatusOrSelector_PrintsZerosAndNone()
    {
        var d = new Deployment { Metadata = new ObjectMeta { Name = "web" }, Spec = new DeploymentSpec() };

        Assert.Equal(["web", "0/1", "0", "0", "<unknown>", "", "", "<none>"], KindTables.For(ResourceKinds.Deployment).Cells(d, Now));
    }

    [Fact]
    public void ReplicaSet_ColumnsAndCells_AsKubectlPrintsThem()
    {
        var table = KindTables.For(ResourceKinds.ReplicaSet);
        var rs = new ReplicaSet
        {
            Metadata = new ObjectMeta { Name = "web-7b7cbb95bd", CreationTimestamp = Now.AddSeconds(-42) },
            Spec = new ReplicaSetSpec { Replicas = 3, Selector = Selector, Template = Template },
            Status = new ReplicaSetStatus { Replicas = 2, ReadyReplicas = 1 },
        };

        Assert.Equal(["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"], table.Columns.Select(c => c.Name));
        Assert.Equal(["web-7b7cbb95bd", "3", "2", "1", "42s", "web,log", "local/web:1,local/log:2", "app=web,tier in (be,fe)"], table.Cells(rs, Now));
    }
}
