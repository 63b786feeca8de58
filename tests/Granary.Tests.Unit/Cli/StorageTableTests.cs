using System.Collections.Immutable;
using Granary.Cli.Output;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

/// <summary>Claim, volume and class rows against what kubectl 1.32 prints from kube-apiserver's printers.</summary>
public class StorageTableTests
{
    private static ImmutableSortedDictionary<string, Quantity> Storage(string amount) =>
        ImmutableSortedDictionary<string, Quantity>.Empty.Add("storage", new Quantity(amount));

    private static ObjectMeta Meta(string name, string? ns = "default") =>
        new() { Name = name, Namespace = ns, CreationTimestamp = Now - TimeSpan.FromMinutes(5) };

    [Fact]
    public void Render_Claims_AsKubectlPrintsThem()
    {
        var claims = new[]
        {
            new PersistentVolumeClaim
            {
                Metadata = Meta("pending"),
                Spec = new PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], Resources = new() { Requests = Storage("1Gi") }, StorageClassName = "local-path", VolumeMode = "Filesystem" },
                Status = new PersistentVolumeClaimStatus { Phase = "Pending" },
            },
            new PersistentVolumeClaim
            {
                Metadata = Meta("bound") with { DeletionTimestamp = Now },
                Spec = new PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], Resources = new() { Requests = Storage("1Gi") }, StorageClassName = "local-path", VolumeName = "pvc-1" },
                Status = new PersistentVolumeClaimStatus { Phase = "Bound", AccessModes = ["ReadWriteOnce", "ReadOnlyMany"], Capacity = Storage("2Gi") },
            },
        };

        var table = ResourceTables.Render(ResourceKinds.PersistentVolumeClaim, claims, new TableOptions(Wide: true), Now);

        Assert.Equal(
            """
            NAME      STATUS        VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE   VOLUMEMODE
            pending   Pending                                          local-path     <unset>                 5m    Filesystem
            bound     Terminating   pvc-1    2Gi        RWO,ROX        local-path     <unset>                 5m    <unset>

            """, table.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_Volumes_AsKubectlPrintsThem()
    {
        var volumes = new[]
        {
            new PersistentVolume
            {
                Metadata = Meta("pvc-1", null),
                Spec = new PersistentVolumeSpec
                {
                    Capacity = Storage("1Gi"), AccessModes = ["ReadWriteOnce"], PersistentVolumeReclaimPolicy = "Delete", StorageClassName = "local-path",
                    ClaimRef = new ObjectReference { Namespace = "default", Name = "data" }, VolumeMode = "Filesystem",
                },
                Status = new PersistentVolumeStatus { Phase = "Bound" },
            },
        };

        var table = ResourceTables.Render(ResourceKinds.PersistentVolume, volumes, new TableOptions(Wide: false), Now);

        Assert.Equal(
            """
            NAME    CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM          STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE
            pvc-1   1Gi        RWO            Delete           Bound    default/data   local-path     <unset>                          5m

            """, table.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_Classes_MarksTheDefault()
    {
        var classes = new[]
        {
            new StorageClass
            {
                Metadata = Meta("local-path", null) with { Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(StorageClass.IsDefaultClassAnnotation, "true") },
                Provisioner = "rancher.io/local-path", ReclaimPolicy = "Delete", VolumeBindingMode = "WaitForFirstConsumer",
            },
            new StorageClass { Metadata = Meta("nfs", null), Provisioner = "example.com/nfs", AllowVolumeExpansion = true },
        };

        var table = ResourceTables.Render(ResourceKinds.StorageClass, classes, new TableOptions(Wide: false), Now);

        Assert.Equal(
            """
            NAME                   PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE
            local-path (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   false                  5m
            nfs                    example.com/nfs         Delete          Immediate              true                   5m

            """, table.ReplaceLineEndings("\n"));
    }
}
