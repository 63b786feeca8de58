using Granary.Cli.Output;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;
using Granary.Printing;

namespace Granary.Tests.Unit.Cli;

public class NodeAndNamespaceTableTests
{
    [Theory]
    [InlineData("True", false, "Ready")]
    [InlineData("False", false, "NotReady")]
    [InlineData("Unknown", false, "NotReady")]
    [InlineData(null, false, "Unknown")]
    [InlineData("True", true, "Ready,SchedulingDisabled")]
    [InlineData(null, true, "Unknown,SchedulingDisabled")]
    public void Status_FromReadyConditionAndCordon(string? ready, bool unschedulable, string expected)
    {
        Assert.Equal(expected, NodeColumns.Status(Node("n", ready, unschedulable)));
    }

    [Fact]
    public void Roles_FromRoleLabels_SortedWithoutDuplicates()
    {
        var node = Node("n", labels: Map(
            ("node-role.kubernetes.io/worker", ""),
            ("node-role.kubernetes.io/control-plane", "true"),
            ("node-role.kubernetes.io/", "ignored"),
            ("kubernetes.io/role", "worker"),
            ("app", "x")));

        Assert.Equal(["control-plane", "worker"], NodeColumns.Roles(node));
    }

    [Fact]
    public void Render_Nodes_PrintsNoneForNoRoles()
    {
        var nodes = new[] { Node("node-1", labels: Map(("node-role.kubernetes.io/control-plane", ""))), Node("node-2", "False", unschedulable: true) };

        var table = ResourceTables.Render(ResourceKinds.Node, nodes, new TableOptions(), Now);

        Assert.Equal(
            """
            NAME     STATUS                        ROLES           AGE   VERSION
            node-1   Ready                         control-plane   3d    v1.30.0-granary
            node-2   NotReady,SchedulingDisabled   <none>          3d    v1.30.0-granary

            """.ReplaceLineEndings("\n"),
            table);
    }

    [Fact]
    public void Render_NodesWide_AddsAddressesAndSystemInfo()
    {
        var bare = Node("bare") with { Status = new NodeStatus() };

        var table = ResourceTables.Render(ResourceKinds.Node, [Node("node-1"), bare], new TableOptions(Wide: true), Now);

        Assert.Equal(
            """
            NAME     STATUS    ROLES    AGE   VERSION           INTERNAL-IP   EXTERNAL-IP   OS-IMAGE              KERNEL-VERSION   CONTAINER-RUNTIME
            node-1   Ready     <none>   3d    v1.30.0-granary   127.0.0.11    <none>        Debian GNU/Linux 12   6.1.0            docker://24.0.5
            bare     Unknown   <none>   3d                      <none>        <none>        <unknown>             <unknown>        <unknown>

            """.ReplaceLineEndings("\n"),
            table);
    }

    [Fact]
    public void Render_Namespaces_PrintsPhaseAndAge()
    {
        var table = ResourceTables.Render(ResourceKinds.Namespace, [Namespace("default"), Namespace("old", "Terminating")], new TableOptions(), Now);

        Assert.Equal(
            """
            NAME      STATUS        AGE
            default   Active        5h
            old       Terminating   5h

            """.ReplaceLineEndings("\n"),
            table);
    }
}
