using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Volumes;
using ModelVolumeMount = Granary.Model.VolumeMount;

namespace Granary.Tests.Unit.NodeAgent.Volumes;

public sealed class ContainerMountsTests
{
    private static readonly Dictionary<string, PreparedVolume> Volumes = new()
    {
        ["cache"] = new PreparedVolume("cache", "/state/pods/u/volumes/kubernetes.io~empty-dir/cache", Writable: true),
        ["cfg"] = new PreparedVolume("cfg", "/state/pods/u/volumes/kubernetes.io~configmap/cfg", Writable: false),
    };

    private static readonly Dictionary<string, string> Env = new() { ["POD_NAME"] = "web-0" };

    [Fact]
    public void Plan_MountsEachVolume_ReadOnlyFromTheMountOrTheVolume()
    {
        var mounts = ContainerMounts.Plan([
            new ModelVolumeMount { Name = "cache", MountPath = "/cache" },
            new ModelVolumeMount { Name = "cache", MountPath = "/ro-cache", ReadOnly = true },
            new ModelVolumeMount { Name = "cfg", MountPath = "/etc/app" },
        ], Volumes, Env, "main");

        Assert.Equal([
            new PlannedMount("cache", Volumes["cache"].HostPath, "/cache", ReadOnly: false, CreateSource: false),
            new PlannedMount("cache", Volumes["cache"].HostPath, "/ro-cache", ReadOnly: true, CreateSource: false),
            new PlannedMount("cfg", Volumes["cfg"].HostPath, "/etc/app", ReadOnly: true, CreateSource: false),
        ], mounts);
    }

    [Fact]
    public void Plan_SubPath_IsInsideTheVolume_CreatedOnlyInWritableOnes()
    {
        var mounts = ContainerMounts.Plan([
            new ModelVolumeMount { Name = "cache", MountPath = "/data", SubPath = "logs/app" },
            new ModelVolumeMount { Name = "cache", MountPath = "/mine", SubPathExpr = "pods/$(POD_NAME)" },
            new ModelVolumeMount { Name = "cfg", MountPath = "/etc/app.conf", SubPath = "app.conf" },
        ], Volumes, Env, "main");

        Assert.Equal((Volumes["cache"].HostPath + "/logs/app", true), (mounts[0].Source, mounts[0].CreateSource));
        Assert.Equal(Volumes["cache"].HostPath + "/pods/web-0", mounts[1].Source);
        Assert.Equal((Volumes["cfg"].HostPath + "/app.conf", false, true), (mounts[2].Source, mounts[2].CreateSource, mounts[2].ReadOnly));
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("/etc")]
    [InlineData("a/../../b")]
    public void Plan_ASubPathLeavingTheVolume_IsRefused(string subPath)
    {
        var error = Assert.Throws<ContainerConfigException>(() => ContainerMounts.Plan([new ModelVolumeMount { Name = "cache", MountPath = "/x", SubPath = subPath }], Volumes, Env, "main"));

        Assert.StartsWith("failed to prepare subPath for volumeMount \"cache\" of container \"main\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AnUnknownVolume_IsRefused()
    {
        Assert.Equal("cannot find volume \"nope\" to mount into container \"main\"",
            Assert.Throws<ContainerConfigException>(() => ContainerMounts.Plan([new ModelVolumeMount { Name = "nope", MountPath = "/x" }], Volumes, Env, "main")).Message);
    }
}
