using Granary.Model;
using Granary.NodeAgent.Pods;

namespace Granary.Tests.Unit.NodeAgent.Pods;

public sealed class HostProcessLimitsTests
{
    private static Pod Pod(PodSpec spec) => new() { Spec = spec with { Containers = spec.Containers ?? [new Container { Name = "main" }] } };

    [Fact]
    public void Refusal_APlainPod_RunsAsHostProcesses()
    {
        Assert.Null(HostProcessLimits.Refusal(Pod(new PodSpec { Containers = [new Container { Name = "main", SecurityContext = new SecurityContext { AllowPrivilegeEscalation = true } }] }), "process"));
    }

    [Fact]
    public void Refusal_NamesEverythingItCannotHonour()
    {
        var refusal = HostProcessLimits.Refusal(Pod(new PodSpec
        {
            Volumes = [new Volume { Name = "v", EmptyDir = new EmptyDirVolumeSource() }],
            Containers = [new Container { Name = "main", VolumeMounts = [new VolumeMount { Name = "v", MountPath = "/v" }], SecurityContext = new SecurityContext { RunAsUser = 1000 } }],
            SecurityContext = new PodSecurityContext { FsGroup = 1 },
            HostPID = true,
            HostIPC = true,
            ImagePullSecrets = [new LocalObjectReference { Name = "reg" }],
        }), "process");

        Assert.Equal("the process driver runs containers as host processes and cannot honour volumes, volumeMounts, spec.securityContext, "
            + "a container's securityContext, hostPID, hostIPC, imagePullSecrets: run this pod on a node with the docker driver", refusal);
    }

    [Fact]
    public void Refusal_TheServiceAccountTokenVolumeOfAdmission_IsLeftOut_OtherVolumesAreNot()
    {
        var admitted = Granary.Grains.ServiceAccounts.ServiceAccountAdmission.Mount(Pod(new PodSpec()), "abcde");
        var withOwn = admitted with
        {
            Spec = admitted.Spec with { Volumes = admitted.Spec.Volumes!.Add(new Volume { Name = "kube-api-access-own", EmptyDir = new EmptyDirVolumeSource() }) },
        };

        Assert.Null(HostProcessLimits.Refusal(admitted, "process"));
        Assert.Equal("the process driver runs containers as host processes and cannot honour volumes: run this pod on a node with the docker driver",
            HostProcessLimits.Refusal(withOwn, "process"));
    }
}
