using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Grains.Workloads;
using static Granary.Tests.Unit.Grains.WorkloadObjects;

namespace Granary.Tests.Unit.Grains;

public sealed class ReplicaSetGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    [Fact]
    public async Task Create_MakesReplicasPods_OwnedByIt()
    {
        var ns = await NamespaceAsync(Client, "rs-create");
        var rs = await Client.ReplicaSets.CreateAsync(ReplicaSet(ns, "web", 3));

        var pods = await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 3, $"replicaset {ns}/web creating 3 pods");

        Assert.All(pods, pod =>
        {
            Assert.Matches("^web-[bcdfghjklmnpqrstvwxz2456789]{5}$", pod.Metadata.Name);
            var owner = Assert.Single(pod.Metadata.OwnerReferences!);
            Assert.Equal(("ReplicaSet", "web", rs.Metadata.Uid, true, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
            Assert.Equal("web", pod.Metadata.Labels!["app"]);
        });
        var status = await Eventually.Until(() => Client.ReplicaSets.GetAsync(ns, "web"), r => r.Status?.Replicas == 3, $"replicaset {ns}/web status.replicas 3");
        Assert.Equal((0, 0, rs.Metadata.Generation), (status.Status!.ReadyReplicas, status.Status.AvailableReplicas, status.Status.ObservedGeneration));
    }

    [Fact]
    public async Task ReadyPods_AreCountedInStatus()
    {
        var ns = await NamespaceAsync(Client, "rs-ready");
        await Client.ReplicaSets.CreateAsync(ReplicaSet(ns, "web", 2));
        await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"replicaset {ns}/web creating 2 pods");

        await MakePodsReadyAsync(Client, ns);

        var rs = await Eventually.Until(() => Client.ReplicaSets.GetAsync(ns, "web"), r => r.Status?.AvailableReplicas == 2, $"replicaset {ns}/web 2 available");
        Assert.Equal((2, 2, 2), (rs.Status!.Replicas, rs.Status.ReadyReplicas, rs.Status.FullyLabeledReplicas));
    }

    [Fact]
    public async Task ScaleDown_DeletesTheSurplus_NotReadyFirst()
    {
        var ns = await NamespaceAsync(Client, "rs-down");
        var rs = await Client.ReplicaSets.CreateAsync(ReplicaSet(ns, "web", 2));
        await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"replicaset {ns}/web creating 2 pods");
        await MakePodsReadyAsync(Client, ns);
        await Eventually.Until(() => Client.ReplicaSets.GetAsync(ns, "web"), r => r.Status?.ReadyReplicas == 2, $"replicaset {ns}/web 2 ready");
        var ready = await ActivePodsAsync(Client, ns);

        await Client.ReplicaSets.UpdateAsync(rs with { Metadata = rs.Metadata with { ResourceVersion = null }, Spec = rs.Spec with { Replicas = 3 } });
        var three = await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 3, $"replicaset {ns}/web scaled to 3");
        var notReady = three.Single(p => !PodReadiness.IsReady(p));
        await Client.ReplicaSets.UpdateAsync(rs with { Metadata = rs.Metadata with { ResourceVersion = null }, Spec = rs.Spec with { Replicas = 2 } });

        var left = await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"replicaset {ns}/web scaled back to 2");
        Assert.DoesNotContain(left, p => p.Metadata.Name == notReady.Metadata.Name);
        Assert.Equal(ready.Select(p => p.Metadata.Name).Order(), left.Select(p => p.Metadata.Name).Order());
    }

    [Fact]
    public async Task DeletedPod_IsReplaced()
    {
        var ns = await NamespaceAsync(Client, "rs-heal");
        await Client.ReplicaSets.CreateAsync(ReplicaSet(ns, "web", 2));
        var pods = await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"replicaset {ns}/web creating 2 pods");

        await Client.Pods.DeleteAsync(ns, pods[0].Metadata.Name!);

        var healed = await Eventually.Until(() => ActivePodsAsync(Client, ns),
            p => p.Count == 2 && p.All(x => x.Metadata.Name != pods[0].Metadata.Name), $"replicaset {ns}/web replacing {pods[0].Metadata.Name}");
        Assert.Contains(healed, p => p.Metadata.Name == pods[1].Metadata.Name);
    }

    [Fact]
    public async Task OrphanPodMatchingTheSelector_IsAdopted()
    {
        var ns = await NamespaceAsync(Client, "rs-adopt");
        var orphan = await Client.Pods.CreateAsync(Objects.Pod(ns, "stray", labels: Objects.Labels(("app", "web"))));
        var other = await Client.Pods.CreateAsync(Objects.Pod(ns, "other", labels: Objects.Labels(("app", "api"))));

        var rs = await Client.ReplicaSets.CreateAsync(ReplicaSet(ns, "web", 2));

        var pods = await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 3, $"replicaset {ns}/web adopting stray and creating 1");
        var adopted = pods.Single(p => p.Metadata.Name == "stray");
        Assert.Equal(rs.Metadata.Uid, OwnerReferences.ControllerRef(adopted.Metadata)?.Uid);
        Assert.Null(pods.Single(p => p.Metadata.Name == "other").Metadata.OwnerReferences);
        Assert.Equal(orphan.Metadata.Uid, adopted.Metadata.Uid);
        Assert.Equal(other.Metadata.Uid, pods.Single(p => p.Metadata.Name == "other").Metadata.Uid);
    }

    [Fact]
    public async Task Delete_Background_CollectsItsPods()
    {
        var ns = await NamespaceAsync(Client, "rs-gc");
        await Client.ReplicaSets.CreateAsync(ReplicaSet(ns, "web", 2));
        await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"replicaset {ns}/web creating 2 pods");

        await Client.ReplicaSets.DeleteAsync(ns, "web", new DeleteOptions { PropagationPolicy = PropagationPolicies.Background });

        await Assert.ThrowsAsync<NotFoundException>(() => Client.ReplicaSets.GetAsync(ns, "web"));
        await Eventually.Until(async () => (await Client.Pods.ListAsync(new ListOptions { Namespace = ns })).Items.Length, n => n == 0, $"garbage collection of {ns}/web's pods");
    }

    [Fact]
    public async Task Delete_Orphan_KeepsItsPods_WithoutTheReference()
    {
        var ns = await NamespaceAsync(Client, "rs-orphan");
        await Client.ReplicaSets.CreateAsync(ReplicaSet(ns, "web", 2));
        await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"replicaset {ns}/web creating 2 pods");

        await Client.ReplicaSets.DeleteAsync(ns, "web", new DeleteOptions { PropagationPolicy = PropagationPolicies.Orphan });

        await Eventually.Until(async () =>
        {
            try
            {
                await Client.ReplicaSets.GetAsync(ns, "web");
                return false;
            }
            catch (NotFoundException)
            {
                return true;
            }
        }, gone => gone, $"replicaset {ns}/web removed after orphaning");
        var pods = await ActivePodsAsync(Client, ns);
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Null(p.Metadata.OwnerReferences));
    }
}
