using Granary.Client;
using Granary.Grains.DaemonSets;
using Granary.Grains.Workloads;
using Granary.Model;
using static Granary.Tests.Unit.Grains.WorkloadObjects;

namespace Granary.Tests.Unit.Grains;

/// <summary>
/// The DaemonSet grain in an in-process cluster. Its pods name another scheduler, so the default one leaves them
/// unbound and the controller's own choice of node (the node-name affinity) is what the test sees.
/// </summary>
public sealed class DaemonSetGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private static DaemonSet Ds(string ns, string pool, string image = "local/web:1")
    {
        var template = Template("agent", image);
        return new DaemonSet
        {
            Metadata = new ObjectMeta { Name = "agent", Namespace = ns },
            Spec = new DaemonSetSpec
            {
                Selector = Selector("agent"),
                Template = template with { Spec = template.Spec! with { NodeSelector = Labels(("pool", pool)), SchedulerName = "elsewhere" } },
            },
        };
    }

    private async Task<Dictionary<string, Pod>> PodsByNodeAsync(string ns) =>
        (await ActivePodsAsync(Client, ns)).ToDictionary(p => DaemonPods.TargetNode(p)!);

    private async Task<List<ControllerRevision>> RevisionsAsync(string ns) =>
        [.. (await Client.ControllerRevisions.ListAsync(new ListOptions { Namespace = ns })).Items.OrderBy(r => r.Revision)];

    [Fact]
    public async Task Create_PutsAPodOnEachMatchingNode_AndFollowsNodesComingAndGoing()
    {
        var ns = await NamespaceAsync(Client, "ds-nodes");
        var pool = ns;
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-a", labels: Labels(("pool", pool))));
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-b", labels: Labels(("pool", pool))));
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-x", labels: Labels(("pool", "other"))));
        var ds = await Client.DaemonSets.CreateAsync(Ds(ns, pool));

        var pods = await Eventually.Until(() => PodsByNodeAsync(ns), p => p.Count == 2, $"daemonset {ns}/agent: a pod on each of 2 nodes");
        Assert.Equal([$"{pool}-a", $"{pool}-b"], pods.Keys.Order(StringComparer.Ordinal));
        var revision = Assert.Single(await RevisionsAsync(ns));
        Assert.Equal((1L, $"agent-{revision.Metadata.Labels![ControllerHistory.HashLabel]}"), (revision.Revision, revision.Metadata.Name));
        Assert.All(pods.Values, p =>
        {
            Assert.Equal(revision.Metadata.Labels[ControllerHistory.HashLabel], p.Metadata.Labels![ControllerHistory.HashLabel]);
            Assert.Equal(ds.Metadata.Uid, Assert.Single(p.Metadata.OwnerReferences!).Uid);
        });

        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-c", labels: Labels(("pool", pool))));
        await Eventually.Until(() => PodsByNodeAsync(ns), p => p.ContainsKey($"{pool}-c"), $"daemonset {ns}/agent: the joining node's pod");

        await Client.Nodes.DeleteAsync(null, $"{pool}-a");
        pods = await Eventually.Until(() => PodsByNodeAsync(ns), p => p.Count == 2 && !p.ContainsKey($"{pool}-a"), $"daemonset {ns}/agent: the deleted node's pod goes");
        var status = await Eventually.Until(() => Client.DaemonSets.GetAsync(ns, "agent"), d => d.Status?.DesiredNumberScheduled == 2,
            $"daemonset {ns}/agent: desired 2 after the node went");
        Assert.Equal((2, 0, 2), (status.Status!.CurrentNumberScheduled, status.Status.NumberMisscheduled, status.Status.UpdatedNumberScheduled));
    }

    [Fact]
    public async Task TemplateChange_MakesANewRevision_AndGoingBack_RenumbersTheOldOne()
    {
        var ns = await NamespaceAsync(Client, "ds-history");
        var pool = ns;
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-a", labels: Labels(("pool", pool))));
        var ds = await Client.DaemonSets.CreateAsync(Ds(ns, pool));
        var first = (await Eventually.Until(() => PodsByNodeAsync(ns), p => p.Count == 1, $"daemonset {ns}/agent: its pod")).Values.Single();
        var firstHash = first.Metadata.Labels![ControllerHistory.HashLabel];

        await Client.DaemonSets.UpdateAsync(ds with { Metadata = ds.Metadata with { ResourceVersion = null }, Spec = Ds(ns, pool, "local/web:2").Spec });
        await Eventually.Until(() => PodsByNodeAsync(ns), p => p.Count == 1 && p.Values.Single().Metadata.Labels![ControllerHistory.HashLabel] != firstHash,
            $"daemonset {ns}/agent: its pod replaced by the new template's");
        Assert.Equal([1L, 2L], (await RevisionsAsync(ns)).Select(r => r.Revision));

        await Client.DaemonSets.UpdateAsync(ds with { Metadata = ds.Metadata with { ResourceVersion = null }, Spec = Ds(ns, pool).Spec });
        var revisions = await Eventually.Until(() => RevisionsAsync(ns), r => r.Count == 2 && r[^1].Revision == 3, $"daemonset {ns}/agent: revision 1 renumbered 3");
        Assert.Equal(firstHash, revisions[^1].Metadata.Labels![ControllerHistory.HashLabel]);
        await Eventually.Until(() => PodsByNodeAsync(ns), p => p.Count == 1 && p.Values.Single().Metadata.Labels![ControllerHistory.HashLabel] == firstHash,
            $"daemonset {ns}/agent: its pod back on the first template");
    }
}
