using System.Collections.Immutable;
using Granary.Client;
using Granary.Errors;
using Granary.Model;
using static Granary.Tests.Unit.Grains.WorkloadObjects;

namespace Granary.Tests.Unit.Grains;

/// <summary>The StatefulSet grain in one in-process silo: pods and claims per ordinal, its revisions, retention, validation.</summary>
public sealed class StatefulSetGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private static StatefulSet Set(string ns, int replicas, string policy = "Parallel", string whenDeleted = "Retain", string whenScaled = "Retain") => new()
    {
        Metadata = new ObjectMeta { Name = "db", Namespace = ns },
        Spec = new StatefulSetSpec
        {
            Replicas = replicas,
            ServiceName = "db",
            PodManagementPolicy = policy,
            Selector = Selector("db"),
            Template = Template("db", "local/db:1"),
            PersistentVolumeClaimRetentionPolicy = new StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = whenDeleted, WhenScaled = whenScaled },
            VolumeClaimTemplates =
            [
                new PersistentVolumeClaim
                {
                    Metadata = new ObjectMeta { Name = "data" },
                    Spec = new PersistentVolumeClaimSpec
                    {
                        AccessModes = ["ReadWriteOnce"],
                        Resources = new VolumeResourceRequirements { Requests = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("storage", Quantity.Parse("1Gi"))]) },
                    },
                },
            ],
        },
    };

    private async Task<List<string>> ClaimNamesAsync(string ns) =>
        [.. (await Client.PersistentVolumeClaims.ListAsync(new ListOptions { Namespace = ns })).Items.Select(c => c.Metadata.Name!).Order()];

    [Fact]
    public async Task Create_Parallel_MakesEveryOrdinalWithItsClaimAndOneRevision()
    {
        var ns = await NamespaceAsync(Client, "sts-create");
        var set = await Client.StatefulSets.CreateAsync(Set(ns, 3));

        var pods = await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 3, $"statefulset {ns}/db creating 3 pods");

        Assert.Equal(["db-0", "db-1", "db-2"], pods.Select(p => p.Metadata.Name).Order());
        Assert.Equal(["data-db-0", "data-db-1", "data-db-2"], await ClaimNamesAsync(ns));
        var revision = Assert.Single((await Client.ControllerRevisions.ListAsync(new ListOptions { Namespace = ns })).Items);
        Assert.Equal((1L, set.Metadata.Uid), (revision.Revision, revision.Metadata.OwnerReferences![0].Uid));
        Assert.All(pods, p => Assert.Equal(revision.Metadata.Name, p.Metadata.Labels!["controller-revision-hash"]));
        var status = await Eventually.Until(() => Client.StatefulSets.GetAsync(ns, "db"), s => s.Status?.Replicas == 3, $"statefulset {ns}/db status.replicas 3");
        Assert.Equal((revision.Metadata.Name, revision.Metadata.Name, 3), (status.Status!.UpdateRevision, status.Status.CurrentRevision, status.Status.UpdatedReplicas));
    }

    [Fact]
    public async Task OrderedReady_MakesTheNextPodOnlyOnceTheOneBeforeIsReady()
    {
        var ns = await NamespaceAsync(Client, "sts-ordered");
        await Client.StatefulSets.CreateAsync(Set(ns, 2, policy: "OrderedReady"));
        await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 1, $"statefulset {ns}/db creating db-0");
        // A pass that saw db-0 not ready made nothing more: the set's status says one replica, and db-1 does not exist.
        await Eventually.Until(() => Client.StatefulSets.GetAsync(ns, "db"), s => s.Status?.Replicas == 1, $"statefulset {ns}/db status.replicas 1");
        Assert.Equal(["db-0"], (await ActivePodsAsync(Client, ns)).Select(p => p.Metadata.Name));

        await MakePodsReadyAsync(Client, ns);

        var pods = await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == 2, $"statefulset {ns}/db creating db-1 after db-0 is ready");
        Assert.Equal(["db-0", "db-1"], pods.Select(p => p.Metadata.Name).Order());
    }

    [Fact]
    public async Task WhenScaledDelete_TheScaledDownPodsClaimGoesWithIt_WhenDeletedDelete_ClaimsAreTheSets()
    {
        var ns = await NamespaceAsync(Client, "sts-retention");
        var set = await Client.StatefulSets.CreateAsync(Set(ns, 2, whenDeleted: "Delete", whenScaled: "Delete"));
        await Eventually.Until(() => ClaimNamesAsync(ns), c => c.Count == 2, $"statefulset {ns}/db creating 2 claims");
        var claim = await Client.PersistentVolumeClaims.GetAsync(ns, "data-db-0");
        Assert.Equal(("StatefulSet", set.Metadata.Uid), (claim.Metadata.OwnerReferences![0].Kind, claim.Metadata.OwnerReferences[0].Uid));
        await Eventually.Until(async () =>
            {
                await MakePodsReadyAsync(Client, ns);
                return await ActivePodsAsync(Client, ns);
            },
            p => p.Count == 2 && p.All(x => x.Status?.Phase == "Running"), $"statefulset {ns}/db 2 running pods");

        var current = await Client.StatefulSets.GetAsync(ns, "db");
        await Client.StatefulSets.UpdateAsync(current with { Metadata = current.Metadata with { ResourceVersion = null }, Spec = current.Spec with { Replicas = 1 } });

        var left = await Eventually.Until(() => ClaimNamesAsync(ns), c => c.Count == 1, $"statefulset {ns}/db: data-db-1 deleted with db-1");
        Assert.Equal(["data-db-0"], left);
    }

    [Fact]
    public async Task Update_OfAFieldKubeKeepsFixed_IsRefusedWithKubesWords()
    {
        var ns = await NamespaceAsync(Client, "sts-immutable");
        var set = await Client.StatefulSets.CreateAsync(Set(ns, 0));

        var error = await Assert.ThrowsAsync<InvalidException>(() => Client.StatefulSets.UpdateAsync(set with { Metadata = set.Metadata with { ResourceVersion = null }, Spec = set.Spec with { ServiceName = "other" } }));

        Assert.Contains("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy'", error.Message);
    }
}
