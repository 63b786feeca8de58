using Granary.NodeAgent.Volumes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.NodeAgent.Volumes;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PodVolumeDirectoriesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-podvol-").FullName;

    public void Dispose()
    {
        // A test that mounted must not leave a mount behind, whatever happened.
        foreach (var mount in MountTable.Below(_dir))
            LibC.Unmount(mount);
        Directory.Delete(_dir, recursive: true);
    }

    private PodVolumeDirectories Directories() => new(_dir, NullLogger<PodVolumeDirectories>.Instance);

    [Fact]
    public void Ensure_MakesTheKubeletsLayout_Mode0777_AndIsIdempotent()
    {
        var dirs = Directories();

        var path = dirs.Ensure("uid-1", PodVolumeDirectories.EmptyDir, "cache");
        File.WriteAllText(Path.Combine(path, "kept"), "x");
        Assert.Equal(path, dirs.Ensure("uid-1", PodVolumeDirectories.EmptyDir, "cache"));

        Assert.Equal(Path.Combine(_dir, "pods", "uid-1", "volumes", "kubernetes.io~empty-dir", "cache"), path);
        Assert.Equal((UnixFileMode)0b111_111_111, File.GetUnixFileMode(path));
        Assert.True(File.Exists(Path.Combine(path, "kept")));
    }

    [Fact]
    public void PodsOnDisk_ListsEveryPodDirectory_ForAnAgentThatRestarts()
    {
        Directories().Ensure("a", PodVolumeDirectories.EmptyDir, "x");
        Directories().Ensure("b", PodVolumeDirectories.ConfigMap, "y");

        Assert.Equal(["a", "b"], Directories().PodsOnDisk().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RemovePod_UnmountsTmpfsFirst_ThenDeletes_AndIsIdempotent()
    {
        // The agent runs as root; so do the tests (CONTRIBUTING.md): a refused mount is a failure here.
        var dirs = Directories();
        var memory = dirs.Ensure("u", PodVolumeDirectories.EmptyDir, "mem");
        Assert.True(dirs.EnsureTmpfs(memory, 1 << 20));
        Assert.True(dirs.EnsureTmpfs(memory, 1 << 20)); // already mounted: not mounted twice
        Assert.Single(MountTable.Below(dirs.PodDir("u")));
        File.WriteAllText(Path.Combine(memory, "f"), "x");

        dirs.RemovePod("u");
        dirs.RemovePod("u");

        Assert.Empty(MountTable.Below(dirs.PodDir("u")));
        Assert.False(Directory.Exists(dirs.PodDir("u")));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    public void PodDir_AUidThatIsNotOnePathElement_IsRefused(string uid)
    {
        Assert.Throws<ArgumentException>(() => Directories().PodDir(uid));
    }
}
