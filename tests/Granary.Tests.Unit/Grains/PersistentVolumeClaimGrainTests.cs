using System.Collections.Immutable;
using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

public sealed class PersistentVolumeClaimGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private static PersistentVolumeClaim Claim(string name, string? className = null, string size = "1Gi") => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new PersistentVolumeClaimSpec
        {
            AccessModes = [AccessModes.ReadWriteOnce],
            Resources = new VolumeResourceRequirements { Requests = ImmutableSortedDictionary<string, Quantity>.Empty.Add("storage", new Quantity(size)) },
            StorageClassName = className,
        },
    };

    private async Task<string> NodeAsync(string root)
    {
        var name = Unique.Name("node");
        var node = Objects.Node(name, labels: Objects.Labels((LocalPath.HostnameLabel, name)));
        await fixture.Grains.GetGrain<INodeGrain>(name).RegisterAsync(node with
        {
            Metadata = node.Metadata with { Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(LocalPath.RootAnnotation, root) },
        });
        return name;
    }

    private async Task<string> ClassAsync(string reclaimPolicy = ReclaimPolicies.Delete, bool expandable = false)
    {
        var name = Unique.Name("sc");
        await Client.StorageClasses.CreateAsync(new StorageClass
        {
            Metadata = new ObjectMeta { Name = name },
            Provisioner = LocalPath.Provisioner,
            ReclaimPolicy = reclaimPolicy,
            VolumeBindingMode = VolumeBindingModes.WaitForFirstConsumer,
            AllowVolumeExpansion = expandable,
        });
        return name;
    }

    private IPersistentVolumeClaimGrain Grain(string name) => fixture.Grains.GetGrain<IPersistentVolumeClaimGrain>($"default/{name}");

    [Fact]
    public async Task Startup_CreatesTheDefaultLocalPathClass()
    {
        var sc = await Client.StorageClasses.GetAsync(null, "local-path");

        Assert.Equal("rancher.io/local-path", sc.Provisioner);
        Assert.Equal("Delete", sc.ReclaimPolicy);
        Assert.Equal("WaitForFirstConsumer", sc.VolumeBindingMode);
        Assert.True(sc.IsDefault);
    }

    [Fact]
    public async Task Create_WithoutClass_GetsTheDefaultClassAndIsPending()
    {
        var claim = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data")));

        Assert.Equal("local-path", claim.Spec.StorageClassName);
        Assert.Equal("Filesystem", claim.Spec.VolumeMode);
        Assert.Equal("Pending", claim.Status?.Phase);
    }

    [Fact]
    public async Task Create_WithEmptyClass_KeepsNoClass()
    {
        var claim = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data"), className: ""));

        Assert.Equal("", claim.Spec.StorageClassName);
    }

    [Fact]
    public async Task Provision_OnANode_MakesALocalVolumeThereAndBinds()
    {
        var node = await NodeAsync("/srv/volumes");
        var created = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data"), size: "2Gi"));
        var uid = created.Metadata.Uid!;

        var bound = await Grain(created.Metadata.Name!).ProvisionAsync(node, uid);

        Assert.Equal($"pvc-{uid}", bound.Spec.VolumeName);
        Assert.Equal("Bound", bound.Status?.Phase);
        Assert.Equal("2Gi", bound.Status?.Capacity?["storage"].Text);
        Assert.Equal([AccessModes.ReadWriteOnce], bound.Status?.AccessModes);
        Assert.Equal(node, bound.Metadata.Annotations?["volume.kubernetes.io/selected-node"]);
        var pv = await Client.PersistentVolumes.GetAsync(null, $"pvc-{uid}");
        Assert.Equal($"/srv/volumes/pvc-{uid}_default_{created.Metadata.Name}", pv.Spec.HostPath?.Path);
        Assert.Equal("DirectoryOrCreate", pv.Spec.HostPath?.Type);
        Assert.Equal(node, Granary.Selectors.NodeSelectorMatch.PinnedNode(pv.Spec.NodeAffinity));
        Assert.Equal("Delete", pv.Spec.PersistentVolumeReclaimPolicy);
        Assert.Equal("local-path", pv.Spec.StorageClassName);
        Assert.Equal(uid, pv.Spec.ClaimRef?.Uid);
        Assert.Equal("2Gi", pv.Spec.Capacity?["storage"].Text);
        Assert.Equal("Bound", pv.Status?.Phase);
        Assert.Contains(StorageFinalizers.VolumeProtection, pv.Metadata.Finalizers ?? []);
    }

    [Fact]
    public async Task Provision_Again_IsIdempotentOnTheSameNodeAndAConflictOnAnother()
    {
        var node = await NodeAsync("/srv/a");
        var other = await NodeAsync("/srv/b");
        var created = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data")));
        var first = await Grain(created.Metadata.Name!).ProvisionAsync(node, created.Metadata.Uid!);

        var again = await Grain(created.Metadata.Name!).ProvisionAsync(node, created.Metadata.Uid!);

        Assert.Equal(first.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
        await Assert.ThrowsAsync<ConflictException>(() => Grain(created.Metadata.Name!).ProvisionAsync(other, created.Metadata.Uid!));
    }

    [Fact]
    public async Task Provision_WithAStaleUid_IsAConflict()
    {
        var node = await NodeAsync("/srv/a");
        var created = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data")));

        await Assert.ThrowsAsync<ConflictException>(() => Grain(created.Metadata.Name!).ProvisionAsync(node, "not-the-uid"));
    }

    [Fact]
    public async Task Provision_OfAClassAnotherProvisionerServes_IsForbiddenWithTheReason()
    {
        var node = await NodeAsync("/srv/a");
        var className = Unique.Name("nfs");
        await Client.StorageClasses.CreateAsync(new StorageClass
        {
            Metadata = new ObjectMeta { Name = className },
            Provisioner = "example.com/nfs",
        });
        var created = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data"), className));

        var e = await Assert.ThrowsAsync<ForbiddenException>(() => Grain(created.Metadata.Name!).ProvisionAsync(node, created.Metadata.Uid!));

        Assert.Contains("example.com/nfs", e.Message);
    }

    [Fact]
    public async Task Delete_BoundClaimOfADeleteClass_DeletesItsVolume()
    {
        var node = await NodeAsync("/srv/a");
        var created = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data")));
        var bound = await Grain(created.Metadata.Name!).ProvisionAsync(node, created.Metadata.Uid!);

        await Client.PersistentVolumeClaims.DeleteAsync("default", created.Metadata.Name!);

        await Assert.ThrowsAsync<NotFoundException>(() => Client.PersistentVolumeClaims.GetAsync("default", created.Metadata.Name!));
        await Assert.ThrowsAsync<NotFoundException>(() => Client.PersistentVolumes.GetAsync(null, bound.Spec.VolumeName!));
    }

    [Fact]
    public async Task Delete_BoundClaimOfARetainClass_LeavesItsVolumeReleased()
    {
        var node = await NodeAsync("/srv/a");
        var created = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data"), await ClassAsync(ReclaimPolicies.Retain)));
        var bound = await Grain(created.Metadata.Name!).ProvisionAsync(node, created.Metadata.Uid!);

        await Client.PersistentVolumeClaims.DeleteAsync("default", created.Metadata.Name!);

        var pv = await Client.PersistentVolumes.GetAsync(null, bound.Spec.VolumeName!);
        Assert.Equal("Released", pv.Status?.Phase);
        Assert.Equal("Retain", pv.Spec.PersistentVolumeReclaimPolicy);
    }

    [Fact]
    public async Task Delete_BoundVolume_WaitsUntilItsClaimIsGone()
    {
        var node = await NodeAsync("/srv/a");
        var created = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data"), await ClassAsync(ReclaimPolicies.Retain)));
        var bound = await Grain(created.Metadata.Name!).ProvisionAsync(node, created.Metadata.Uid!);

        await Client.PersistentVolumes.DeleteAsync(null, bound.Spec.VolumeName!);
        var terminating = await Client.PersistentVolumes.GetAsync(null, bound.Spec.VolumeName!);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);

        await Client.PersistentVolumeClaims.DeleteAsync("default", created.Metadata.Name!);
        await Assert.ThrowsAsync<NotFoundException>(() => Client.PersistentVolumes.GetAsync(null, bound.Spec.VolumeName!));
    }

    [Fact]
    public async Task Update_GrowingAClaimOfLocalPath_IsForbidden()
    {
        var node = await NodeAsync("/srv/a");
        var created = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data")));
        var bound = await Grain(created.Metadata.Name!).ProvisionAsync(node, created.Metadata.Uid!);

        var e = await Assert.ThrowsAsync<ForbiddenException>(() => Client.PersistentVolumeClaims.UpdateAsync(Grow(bound, "5Gi")));

        Assert.Contains("only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize", e.Message);
    }

    [Fact]
    public async Task Update_GrowingAClaimOfAnExpandableClass_GrowsItsVolume()
    {
        var node = await NodeAsync("/srv/a");
        var created = await Client.PersistentVolumeClaims.CreateAsync(Claim(Unique.Name("data"), await ClassAsync(expandable: true)));
        var bound = await Grain(created.Metadata.Name!).ProvisionAsync(node, created.Metadata.Uid!);

        await Client.PersistentVolumeClaims.UpdateAsync(Grow(bound, "5Gi"));

        var claim = await Client.PersistentVolumeClaims.GetAsync("default", created.Metadata.Name!);
        Assert.Equal("5Gi", claim.Status?.Capacity?["storage"].Text);
        Assert.Equal("5Gi", (await Client.PersistentVolumes.GetAsync(null, bound.Spec.VolumeName!)).Spec.Capacity?["storage"].Text);
    }

    [Fact]
    public async Task Apply_SameManifestAfterBinding_KeepsTheBindingAndClass()
    {
        var node = await NodeAsync("/srv/a");
        var manifest = Claim(Unique.Name("data"));
        var created = await Client.PersistentVolumeClaims.CreateAsync(manifest);
        var bound = await Grain(created.Metadata.Name!).ProvisionAsync(node, created.Metadata.Uid!);

        var result = await Client.PersistentVolumeClaims.ApplyAsync(manifest);

        Assert.Equal(bound.Spec.VolumeName, result.Object.Spec.VolumeName);
        Assert.Equal("local-path", result.Object.Spec.StorageClassName);
        Assert.Equal("Bound", result.Object.Status?.Phase);
    }

    private static PersistentVolumeClaim Grow(PersistentVolumeClaim claim, string size) => claim with
    {
        Spec = claim.Spec with
        {
            Resources = new VolumeResourceRequirements { Requests = ImmutableSortedDictionary<string, Quantity>.Empty.Add("storage", new Quantity(size)) },
        },
    };
}
