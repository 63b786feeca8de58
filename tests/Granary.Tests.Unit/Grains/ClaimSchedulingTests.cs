using System.Collections.Immutable;
using Granary.Client;
using Granary.Errors;
using Granary.Model;
using Granary.Selectors;

namespace Granary.Tests.Unit.Grains;

/// <summary>Pods with PersistentVolumeClaims through the real scheduler in the test cluster: binding and protection.</summary>
public sealed class ClaimSchedulingTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private static PersistentVolumeClaim Claim(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new PersistentVolumeClaimSpec
        {
            AccessModes = [AccessModes.ReadWriteOnce],
            Resources = new VolumeResourceRequirements { Requests = ImmutableSortedDictionary<string, Quantity>.Empty.Add("storage", new Quantity("1Gi")) },
        },
    };

    private static Pod PodWith(string name, string claim, string pool)
    {
        var pod = Objects.Pod("default", name, nodeSelector: Objects.Labels(("pool", pool)), schedulerName: null);
        return pod with { Spec = pod.Spec with { Volumes = [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = claim } }] } };
    }

    private async Task<string> NodeAsync(string pool)
    {
        var name = $"{pool}-node";
        await Client.Nodes.CreateAsync(Objects.Node(name, labels: Objects.Labels(("pool", pool), (LocalPath.HostnameLabel, name))));
        return name;
    }

    [Fact]
    public async Task PodWithUnboundClaim_BindsTheClaimToANewVolumeOnThePodsNode()
    {
        var pool = Unique.Name("wffc");
        var node = await NodeAsync(pool);
        var claim = await Client.PersistentVolumeClaims.CreateAsync(Claim(pool));
        Assert.Equal("Pending", claim.Status?.Phase);

        await Client.Pods.CreateAsync(PodWith(pool, pool, pool));

        var pod = await Eventually.Until(() => Client.Pods.GetAsync("default", pool), p => p.Spec.NodeName is not null, $"pod default/{pool} bound");
        Assert.Equal(node, pod.Spec.NodeName);
        var bound = await Client.PersistentVolumeClaims.GetAsync("default", pool);
        Assert.Equal("Bound", bound.Status?.Phase);
        Assert.Equal($"pvc-{claim.Metadata.Uid}", bound.Spec.VolumeName);
        var pv = await Client.PersistentVolumes.GetAsync(null, bound.Spec.VolumeName!);
        Assert.Equal(node, NodeSelectorMatch.PinnedNode(pv.Spec.NodeAffinity));
    }

    [Fact]
    public async Task PodWithMissingClaim_IsUnschedulableWithKubesMessage_UntilTheClaimExists()
    {
        var pool = Unique.Name("missing");
        await NodeAsync(pool);
        await Client.Pods.CreateAsync(PodWith(pool, pool, pool));

        var pending = await Eventually.Until(
            () => Client.Pods.GetAsync("default", pool),
            p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true,
            $"pod default/{pool} marked unschedulable");
        Assert.Matches($"^0/\\d+ nodes are available: persistentvolumeclaim \"{pool}\" not found\\.$",
            pending.Status!.Conditions!.Single(c => c.Type == "PodScheduled").Message);

        await Client.PersistentVolumeClaims.CreateAsync(Claim(pool));

        await Eventually.Until(() => Client.Pods.GetAsync("default", pool), p => p.Spec.NodeName is not null, $"pod default/{pool} bound once its claim exists");
    }

    [Fact]
    public async Task DeletedClaimInUse_StaysTerminatingUntilItsPodIsGone_ThenItsVolumeGoes()
    {
        var pool = Unique.Name("protect");
        await NodeAsync(pool);
        await Client.PersistentVolumeClaims.CreateAsync(Claim(pool));
        await Client.Pods.CreateAsync(PodWith(pool, pool, pool));
        var bound = await Eventually.Until(() => Client.PersistentVolumeClaims.GetAsync("default", pool), c => c.Status?.Phase == "Bound", $"claim default/{pool} bound");
        // The scheduler binds the claim before the pod: as in kube's pvc-protection, only a scheduled pod holds it.
        await Eventually.Until(() => Client.Pods.GetAsync("default", pool), p => !string.IsNullOrEmpty(p.Spec.NodeName), $"pod default/{pool} scheduled");

        await Client.PersistentVolumeClaims.DeleteAsync("default", pool);
        var terminating = await Client.PersistentVolumeClaims.GetAsync("default", pool);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Contains(StorageFinalizers.ClaimProtection, terminating.Metadata.Finalizers ?? []);

        await Client.Pods.DeleteAsync("default", pool, new Granary.Api.DeleteOptions { GracePeriodSeconds = 0 });

        await Eventually.Until(async () =>
        {
            try
            {
                await Client.PersistentVolumes.GetAsync(null, bound.Spec.VolumeName!);
                return false;
            }
            catch (NotFoundException)
            {
                return true;
            }
        }, gone => gone, $"volume {bound.Spec.VolumeName} deleted after its claim");
        await Assert.ThrowsAsync<NotFoundException>(() => Client.PersistentVolumeClaims.GetAsync("default", pool));
    }
}
