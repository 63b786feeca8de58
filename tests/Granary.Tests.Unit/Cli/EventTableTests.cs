using Granary.Model;
using Granary.Printing.Tables;
using Granary.Selectors;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public class EventTableTests
{
    private static Event BackOff() => new()
    {
        Metadata = new() { Name = "web.1826d2c3b1a0f000", Namespace = "shop", CreationTimestamp = Now.AddMinutes(-5) },
        InvolvedObject = new() { Kind = "Pod", Namespace = "shop", Name = "web", Uid = "u1", ApiVersion = "v1", FieldPath = "spec.containers{main}" },
        Reason = "BackOff",
        Message = "Back-off restarting failed container main in pod web_shop(u1)\n",
        Source = new() { Component = "granary-agent", Host = "n1" },
        FirstTimestamp = Now.AddMinutes(-5),
        LastTimestamp = Now.AddSeconds(-30),
        Count = 7,
        Type = "Warning",
    };

    [Fact]
    public void Columns_AreKubeApiserversEventColumns_WithTheWideOnesAtPriorityOne()
    {
        var columns = KindTables.For(ResourceKinds.Event).Columns;

        Assert.Equal(["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"], columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 1, 1, 0, 1, 1, 1], columns.Select(c => c.Priority));
    }

    [Fact]
    public void Cells_ShowKindSlashNameSourceWithHostAndTheCount()
    {
        var cells = KindTables.For(ResourceKinds.Event).Cells(BackOff(), Now);

        Assert.Equal(["30s", "Warning", "BackOff", "pod/web", "spec.containers{main}", "granary-agent, n1",
            "Back-off restarting failed container main in pod web_shop(u1)", "5m", "7", "web.1826d2c3b1a0f000"], cells);
    }

    [Fact]
    public void Cells_NewApiEvent_UseEventTimeSeriesAndReportingController()
    {
        var e = BackOff() with
        {
            FirstTimestamp = null,
            LastTimestamp = null,
            Count = null,
            Source = null,
            EventTime = Now.AddMinutes(-10),
            Series = new() { Count = 4, LastObservedTime = Now.AddMinutes(-1) },
            ReportingComponent = "default-scheduler",
            InvolvedObject = new() { Kind = "Node" },
        };

        var cells = KindTables.For(ResourceKinds.Event).Cells(e, Now);

        Assert.Equal(["60s", "node", "default-scheduler", "10m", "4"], new[] { cells[0], cells[3], cells[5], cells[7], cells[8] });
    }

    [Fact]
    public void Cells_SingletonWithoutCount_CountsOne()
    {
        var cells = KindTables.For(ResourceKinds.Event).Cells(BackOff() with { Count = null, LastTimestamp = null }, Now);

        Assert.Equal(("5m", "1"), (cells[0], cells[8]));
    }

    [Theory]
    [InlineData("involvedObject.kind=Pod,involvedObject.name=web,involvedObject.namespace=shop,involvedObject.uid=u1", true)]
    [InlineData("involvedObject.apiVersion=v1,involvedObject.fieldPath=spec.containers{main}", true)]
    [InlineData("involvedObject.resourceVersion=", true)]
    [InlineData("reason=BackOff,type=Warning", true)]
    [InlineData("type!=Warning", false)]
    [InlineData("source=granary-agent", true)]
    [InlineData("reportingComponent=", true)]
    [InlineData("involvedObject.uid=u2", false)]
    [InlineData("metadata.name=web.1826d2c3b1a0f000,metadata.namespace=shop", true)]
    public void FieldSelector_SelectsEventsByKubesEventFields(string selector, bool matches) =>
        Assert.Equal(matches, FieldSelector.Parse(selector).Matches(BackOff()));

    [Fact]
    public void FieldSelector_Source_FallsBackToTheReportingController()
    {
        var e = BackOff() with { Source = null, ReportingComponent = "default-scheduler" };

        Assert.Equal("default-scheduler", FieldSelector.ValueOf(e, "source"));
        Assert.Equal("default-scheduler", FieldSelector.ValueOf(e, "reportingComponent"));
    }

    [Fact]
    public void FieldSelector_PodFields_StillSelectPods()
    {
        var pod = new Pod { Metadata = new() { Name = "p", Namespace = "shop" }, Spec = new() { NodeName = "n1" }, Status = new() { Phase = "Running" } };

        Assert.True(FieldSelector.Parse("spec.nodeName=n1,status.phase=Running").Matches(pod));
        Assert.Equal("", FieldSelector.ValueOf(pod, "reason"));
    }
}
