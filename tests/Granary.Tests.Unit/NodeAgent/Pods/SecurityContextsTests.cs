using Granary.Model;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Runtime;

namespace Granary.Tests.Unit.NodeAgent.Pods;

/// <summary>securityContext to engine-neutral fields, with the kubelet's checks.</summary>
public sealed class SecurityContextsTests
{
    private static Pod Pod(PodSecurityContext? podSc = null, SecurityContext? sc = null, bool hostPid = false, bool hostIpc = false) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default", Uid = "u1" },
        Spec = new PodSpec { SecurityContext = podSc, HostPID = hostPid, HostIPC = hostIpc, Containers = [new Container { Name = "main", SecurityContext = sc }] },
    };

    private static ContainerSecurity Resolve(Pod pod, bool allowPrivileged = false, string? imageUser = null) =>
        SecurityContexts.Resolve(pod, pod.Spec.Containers![0], allowPrivileged, imageUser);

    [Fact]
    public void Resolve_Nothing_IsTheEnginesDefault()
    {
        Assert.True(Resolve(Pod()).IsDefault);
    }

    [Fact]
    public void Resolve_ContainerFieldsOverThePods_GroupsFromThePod()
    {
        var security = Resolve(Pod(
            new PodSecurityContext { RunAsUser = 1000, RunAsGroup = 3000, SupplementalGroups = [4000], FsGroup = 2000 },
            new SecurityContext { RunAsUser = 1001, ReadOnlyRootFilesystem = true, AllowPrivilegeEscalation = false, Capabilities = new Capabilities { Add = ["NET_BIND_SERVICE"], Drop = ["ALL"] } },
            hostPid: true, hostIpc: true));

        Assert.Equal(new ContainerSecurity
        {
            User = "1001:3000",
            Groups = [4000, 2000],
            ReadOnlyRootFilesystem = true,
            NoNewPrivileges = true,
            CapabilitiesAdd = ["NET_BIND_SERVICE"],
            CapabilitiesDrop = ["ALL"],
            HostPid = true,
            HostIpc = true,
        }, security);
    }

    [Theory]
    [InlineData("", "0:3000")]
    [InlineData("1000:50", "1000:3000")]
    [InlineData("nobody", "nobody:3000")]
    public void Resolve_AGroupWithoutAUser_TakesTheImagesUser(string imageUser, string expected)
    {
        var pod = Pod(new PodSecurityContext { RunAsGroup = 3000 });

        Assert.True(SecurityContexts.NeedsImageUser(pod, pod.Spec.Containers![0]));
        Assert.Equal(expected, Resolve(pod, imageUser: imageUser).User);
    }

    [Theory]
    [InlineData(null, "", "container has runAsNonRoot and image will run as root (pod: \"web_default(u1)\", container: main)")]
    [InlineData(null, "0:0", "container has runAsNonRoot and image will run as root (pod: \"web_default(u1)\", container: main)")]
    [InlineData(null, "nobody", "container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root (pod: \"web_default(u1)\", container: main)")]
    [InlineData(0L, "1000", "container's runAsUser breaks non-root policy (pod: \"web_default(u1)\", container: main)")]
    [InlineData(null, "1000", null)]
    [InlineData(1000L, "", null)]
    public void Resolve_RunAsNonRoot_ChecksTheUserOrTheImagesUser(long? runAsUser, string imageUser, string? refusal)
    {
        var pod = Pod(new PodSecurityContext { RunAsNonRoot = true }, new SecurityContext { RunAsUser = runAsUser });

        if (refusal is null)
            Resolve(pod, imageUser: imageUser);
        else
            Assert.Equal(refusal, Assert.Throws<ContainerConfigException>(() => Resolve(pod, imageUser: imageUser)).Message);
    }

    [Fact]
    public void Resolve_Privileged_OnlyWhereTheNodeAllowsIt()
    {
        var pod = Pod(sc: new SecurityContext { Privileged = true });

        var refused = Assert.Throws<ContainerConfigException>(() => Resolve(pod));
        Assert.Contains("--allow-privileged true", refused.Message, StringComparison.Ordinal);
        Assert.True(Resolve(pod, allowPrivileged: true).Privileged);
    }
}
