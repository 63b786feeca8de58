using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Grains.Workloads;
using Granary.Model;
using static Granary.Tests.Unit.Grains.WorkloadObjects;

namespace Granary.Tests.Unit.Grains;

public sealed class DeploymentGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private async Task<List<ReplicaSet>> SetsAsync(string ns) => [.. (await Client.ReplicaSets.ListAsync(new ListOptions { Namespace = ns })).Items];

    /// <summary>Plays the node agent until the Deployment has rolled out: every new pod becomes Ready.</summary>
    private async Task<Deployment> RollOutAsync(string ns, string name, Action<List<Pod>, List<ReplicaSet>>? observe = null)
    {
        return await Eventually.Until(async () =>
        {
            observe?.Invoke(await ActivePodsAsync(Client, ns), await SetsAsync(ns));
            await MakePodsReadyAsync(Client, ns);
            return await Client.Deployments.GetAsync(ns, name);
        }, d => DeploymentStatusPlanner.IsComplete(d, d.Status ?? new DeploymentStatus()) && d.Status!.Replicas == d.Spec.Replicas,
        $"deployment {ns}/{name} rolling out", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Create_MakesAReplicaSetPerTemplate_AndBecomesAvailable()
    {
        var ns = await NamespaceAsync(Client, "dep-create");
        var created = await Client.Deployments.CreateAsync(Deployment(ns, "web", 3));

        var d = await RollOutAsync(ns, "web");

        var rs = Assert.Single(await SetsAsync(ns));
        var hash = PodTemplateHash.Compute(d.Spec.Template!, null);
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        Assert.Equal(hash, rs.Metadata.Labels![PodTemplateHash.Label]);
        Assert.Equal(hash, rs.Spec.Selector!.MatchLabels![PodTemplateHash.Label]);
        Assert.Equal(hash, rs.Spec.Template!.Metadata!.Labels![PodTemplateHash.Label]);
        Assert.Equal("1", rs.Metadata.Annotations![RevisionHistory.RevisionAnnotation]);
        Assert.Equal("1", d.Metadata.Annotations![RevisionHistory.RevisionAnnotation]);
        Assert.Equal(created.Metadata.Uid, OwnerReferences.ControllerRef(rs.Metadata)?.Uid);
        Assert.Equal((3, 3, 3, 3, 0), (d.Status!.Replicas, d.Status.UpdatedReplicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas, d.Status.UnavailableReplicas));
        Assert.Equal(d.Metadata.Generation, d.Status.ObservedGeneration);
        var available = d.Status.Conditions!.Single(c => c.Type == "Available");
        var progressing = d.Status.Conditions!.Single(c => c.Type == "Progressing");
        Assert.Equal(("True", "MinimumReplicasAvailable"), (available.Status, available.Reason));
        Assert.Equal(("True", "NewReplicaSetAvailable", $"ReplicaSet \"web-{hash}\" has successfully progressed."), (progressing.Status, progressing.Reason, progressing.Message));
    }

    [Fact]
    public async Task ImageChange_RollsOutToANewReplicaSet_WithinSurgeAndUnavailability()
    {
        var ns = await NamespaceAsync(Client, "dep-roll");
        await Client.Deployments.CreateAsync(Deployment(ns, "web", 4, image: "local/web:1", maxSurge: 1, maxUnavailable: 1));
        var first = await RollOutAsync(ns, "web");
        var oldSet = Assert.Single(await SetsAsync(ns));

        await Client.Deployments.UpdateAsync(first with
        {
            Metadata = first.Metadata with { ResourceVersion = null },
            Spec = first.Spec with { Template = Template("web", "local/web:2") },
        });
        var most = 0;
        var fewestReady = int.MaxValue;
        var d = await RollOutAsync(ns, "web", (pods, sets) =>
        {
            most = Math.Max(most, sets.Sum(s => s.Spec.Replicas ?? 0));
            fewestReady = Math.Min(fewestReady, pods.Count(PodReadiness.IsReady));
        });

        var sets = await SetsAsync(ns);
        Assert.Equal(2, sets.Count);
        var newSet = sets.Single(s => s.Metadata.Uid != oldSet.Metadata.Uid);
        Assert.Equal((4, "2"), (newSet.Spec.Replicas, newSet.Metadata.Annotations![RevisionHistory.RevisionAnnotation]));
        Assert.Equal(0, sets.Single(s => s.Metadata.Uid == oldSet.Metadata.Uid).Spec.Replicas);
        Assert.Equal("2", d.Metadata.Annotations![RevisionHistory.RevisionAnnotation]);
        var pods = await ActivePodsAsync(Client, ns);
        Assert.Equal(4, pods.Count);
        Assert.All(pods, p => Assert.Equal("local/web:2", p.Spec.Containers![0].Image));
        Assert.InRange(most, 4, 5);
        Assert.InRange(fewestReady, 3, 5);
    }

    [Fact]
    public async Task Scale_ChangesOnlyTheCurrentReplicaSet()
    {
        var ns = await NamespaceAsync(Client, "dep-scale");
        await Client.Deployments.CreateAsync(Deployment(ns, "web", 1));
        var d = await RollOutAsync(ns, "web");
        var rs = Assert.Single(await SetsAsync(ns));

        await Client.Deployments.UpdateAsync(d with { Metadata = d.Metadata with { ResourceVersion = null }, Spec = d.Spec with { Replicas = 3 } });
        var scaled = await RollOutAsync(ns, "web");

        var after = Assert.Single(await SetsAsync(ns));
        Assert.Equal(rs.Metadata.Uid, after.Metadata.Uid);
        Assert.Equal((3, "1"), (after.Spec.Replicas, after.Metadata.Annotations![RevisionHistory.RevisionAnnotation]));
        Assert.Equal(3, scaled.Status!.AvailableReplicas);
        Assert.Equal(3, (await ActivePodsAsync(Client, ns)).Count);
    }

    [Fact]
    public async Task Recreate_StopsEveryOldPodBeforeStartingNewOnes()
    {
        var ns = await NamespaceAsync(Client, "dep-recreate");
        await Client.Deployments.CreateAsync(Deployment(ns, "web", 2, strategy: "Recreate"));
        var d = await RollOutAsync(ns, "web");

        await Client.Deployments.UpdateAsync(d with { Metadata = d.Metadata with { ResourceVersion = null }, Spec = d.Spec with { Template = Template("web", "local/web:2") } });
        var mixed = false;
        await RollOutAsync(ns, "web", (pods, _) => mixed |= pods.Select(p => p.Spec.Containers![0].Image).Distinct().Count() > 1);

        Assert.False(mixed, "old and new pods ran at the same time");
        Assert.All(await ActivePodsAsync(Client, ns), p => Assert.Equal("local/web:2", p.Spec.Containers![0].Image));
    }

    [Fact]
    public async Task Delete_Background_CollectsReplicaSetsAndPods()
    {
        var ns = await NamespaceAsync(Client, "dep-gc");
        await Client.Deployments.CreateAsync(Deployment(ns, "web", 2));
        await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"deployment {ns}/web creating 2 pods");

        await Client.Deployments.DeleteAsync(ns, "web");

        await Eventually.Until(async () => (await SetsAsync(ns)).Count + (await Client.Pods.ListAsync(new ListOptions { Namespace = ns })).Items.Length,
            n => n == 0, $"garbage collection of deployment {ns}/web's replicasets and pods");
    }

    [Fact]
    public async Task Delete_Foreground_RemovesTheDeploymentLast()
    {
        var ns = await NamespaceAsync(Client, "dep-fg");
        await Client.Deployments.CreateAsync(Deployment(ns, "web", 2));
        await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"deployment {ns}/web creating 2 pods");

        var marked = await Client.Deployments.DeleteAsync(ns, "web", new DeleteOptions { PropagationPolicy = PropagationPolicies.Foreground });

        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        Assert.Contains(PropagationPolicies.ForegroundFinalizer, marked.Metadata.Finalizers!);
        await Eventually.Until(async () =>
        {
            try
            {
                await Client.Deployments.GetAsync(ns, "web");
                return false;
            }
            catch (NotFoundException)
            {
                return true;
            }
        }, gone => gone, $"deployment {ns}/web removed after its dependents");
        Assert.Empty(await SetsAsync(ns));
        Assert.Empty((await Client.Pods.ListAsync(new ListOptions { Namespace = ns })).Items);
    }

    [Fact]
    public async Task NamespaceDeletion_RemovesDeploymentsReplicaSetsAndPods()
    {
        var ns = await NamespaceAsync(Client, "dep-ns");
        await Client.Deployments.CreateAsync(Deployment(ns, "web", 2));
        await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"deployment {ns}/web creating 2 pods");

        await Client.Namespaces.DeleteAsync(null, ns);

        await Eventually.Until(async () =>
        {
            try
            {
                await Client.Namespaces.GetAsync(null, ns);
                return false;
            }
            catch (NotFoundException)
            {
                return true;
            }
        }, gone => gone, $"namespace {ns} emptied and removed");
        Assert.Empty((await Client.Deployments.ListAsync(new ListOptions { Namespace = ns })).Items);
        Assert.Empty(await SetsAsync(ns));
        Assert.Empty((await Client.Pods.ListAsync(new ListOptions { Namespace = ns })).Items);
    }
}
