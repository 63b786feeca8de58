using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Storage;

/// <summary>The agent's side of local-path volumes: which directory a claim gets, and which directories go.</summary>
public sealed class LocalPathStorageTests : IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly string Uid = "0b0c3e3a-6a8e-4b8e-9a61-2f1a7d6c1e01";
    private static readonly string OtherUid = "7d2f9c1b-1111-4c4c-8e8e-0123456789ab";

    private readonly string _root = Directory.CreateTempSubdirectory("granary-localpath-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Make(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    private static ImmutableHashSet<string> Volumes(params string[] names) => [.. names];

    [Fact]
    public void Sweep_DirectoryWithoutItsVolume_IsRemovedOnlyAfterTheGrace()
    {
        var orphan = Make($"pvc-{Uid}_default_data");
        File.WriteAllText(Path.Combine(orphan, "file"), "data");
        var kept = Make($"pvc-{OtherUid}_default_other");
        var directories = new VolumeDirectories(_root, Grace, _time, NullLogger.Instance);

        Assert.Empty(directories.Sweep(Volumes($"pvc-{OtherUid}")));
        _time.Advance(Grace - TimeSpan.FromSeconds(1));
        Assert.Empty(directories.Sweep(Volumes($"pvc-{OtherUid}")));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([$"pvc-{Uid}_default_data"], directories.Sweep(Volumes($"pvc-{OtherUid}")).ToArray());

        Assert.False(Directory.Exists(orphan));
        Assert.True(Directory.Exists(kept));
    }

    [Fact]
    public void Sweep_VolumeBackWithinTheGrace_StartsTheGraceAgain()
    {
        var dir = Make($"pvc-{Uid}_default_data");
        var directories = new VolumeDirectories(_root, Grace, _time, NullLogger.Instance);

        directories.Sweep(Volumes());
        _time.Advance(Grace / 2);
        directories.Sweep(Volumes($"pvc-{Uid}"));
        _time.Advance(Grace / 2);

        Assert.Empty(directories.Sweep(Volumes()));
        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public void Sweep_AnythingNotNamedAsTheProvisionerNamesVolumes_IsNeverTouched()
    {
        var names = new[] { "lost+found", "pvc-not-a-uid_default_data", $"pvc-{Uid}", $"pvc-{Uid}_default", $"pvc-{Uid}_a_b_c", "backup" };
        foreach (var name in names)
            Make(name);
        var outside = Directory.CreateTempSubdirectory("granary-outside-").FullName;
        Directory.CreateSymbolicLink(Path.Combine(_root, $"pvc-{OtherUid}_default_link"), outside);
        var directories = new VolumeDirectories(_root, Grace, _time, NullLogger.Instance);

        directories.Sweep(Volumes());
        _time.Advance(Grace * 2);
        var removed = directories.Sweep(Volumes());

        Assert.Empty(removed);
        Assert.All(names, n => Assert.True(Directory.Exists(Path.Combine(_root, n)), n));
        Assert.True(Directory.Exists(outside));
        Directory.Delete(outside);
    }

    [Fact]
    public void Sweep_MissingRoot_RemovesNothing()
    {
        var directories = new VolumeDirectories(Path.Combine(_root, "absent"), Grace, _time, NullLogger.Instance);

        Assert.Empty(directories.Sweep(Volumes()));
    }

    private PersistentVolumeClaim Claim() => new() { Metadata = new ObjectMeta { Name = "data", Namespace = "default", Uid = Uid } };

    private PersistentVolume Volume(string node, string? path = null) => new()
    {
        Metadata = new ObjectMeta { Name = $"pvc-{Uid}" },
        Spec = new PersistentVolumeSpec
        {
            ClaimRef = new ObjectReference { Namespace = "default", Name = "data", Uid = Uid },
            HostPath = new HostPathVolumeSource { Path = path ?? Path.Combine(_root, $"pvc-{Uid}_default_data"), Type = "DirectoryOrCreate" },
            NodeAffinity = new VolumeNodeAffinity
            {
                Required = new NodeSelector
                {
                    NodeSelectorTerms = [new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = LocalPath.HostnameLabel, Operator = "In", Values = [node] }] }],
                },
            },
        },
    };

    [Fact]
    public void CheckVolume_OfThisNodeUnderTheRoot_GivesItsDirectory() =>
        Assert.Equal(Path.Combine(_root, $"pvc-{Uid}_default_data"), LocalPathVolumes.CheckVolume(Volume("n1"), Claim(), "n1", _root));

    [Fact]
    public void CheckVolume_OfAnotherNode_IsANodeAffinityConflict()
    {
        var e = Assert.Throws<LocalPathVolumeException>(() => LocalPathVolumes.CheckVolume(Volume("n2"), Claim(), "n1", _root));

        Assert.Contains("volume node affinity conflict", e.Message);
        Assert.False(e.Retryable);
    }

    [Fact]
    public void CheckVolume_OutsideTheRoot_IsRefused()
    {
        var e = Assert.Throws<LocalPathVolumeException>(() => LocalPathVolumes.CheckVolume(Volume("n1", "/etc"), Claim(), "n1", _root));

        Assert.Contains("--local-path-root", e.Message);
    }

    [Fact]
    public void CheckVolume_BoundToAnotherClaim_IsRefused()
    {
        var claim = Claim() with { Metadata = Claim().Metadata with { Uid = OtherUid } };

        Assert.Throws<LocalPathVolumeException>(() => LocalPathVolumes.CheckVolume(Volume("n1"), claim, "n1", _root));
    }
}
