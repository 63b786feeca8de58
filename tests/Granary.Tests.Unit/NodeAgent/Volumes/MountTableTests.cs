using Granary.NodeAgent.Volumes;

namespace Granary.Tests.Unit.NodeAgent.Volumes;

public sealed class MountTableTests
{
    private static readonly string[] Lines =
    [
        "22 1 0:21 / / rw,relatime - ext4 /dev/vda rw",
        "40 22 0:40 / /var/lib/granary/pods/u1/volumes/kubernetes.io~secret/tok rw,nosuid,nodev - tmpfs tmpfs rw,size=1024k",
        "41 22 0:41 / /var/lib/granary/pods/u1/volumes/kubernetes.io~empty-dir/cache\\040dir rw - tmpfs tmpfs rw",
        "42 22 0:42 / /var/lib/granary/pods/u10/volumes/kubernetes.io~empty-dir/x rw - tmpfs tmpfs rw",
    ];

    [Fact]
    public void Below_GivesMountsUnderTheRootOnly_DeepestFirst_WithEscapesUndone()
    {
        Assert.Equal(
            ["/var/lib/granary/pods/u1/volumes/kubernetes.io~empty-dir/cache dir", "/var/lib/granary/pods/u1/volumes/kubernetes.io~secret/tok"],
            MountTable.Below("/var/lib/granary/pods/u1", Lines));
    }

    [Fact]
    public void Below_ARootThatIsItselfAMountPoint_IsIncluded()
    {
        Assert.Equal(["/var/lib/granary/pods/u10/volumes/kubernetes.io~empty-dir/x"], MountTable.Below("/var/lib/granary/pods/u10/volumes/kubernetes.io~empty-dir/x/", Lines));
    }
}
