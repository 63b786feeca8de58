using Granary.Grains.ServiceAccounts;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Tests.Unit.ServiceAccounts;

public sealed class ServiceAccountAdmissionTests
{
    private static Pod Pod(params Container[] containers) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default" },
        Spec = new PodSpec { Containers = [.. containers], InitContainers = [new Container { Name = "init" }] },
    };

    [Fact]
    public void Mount_AddsKubesProjectedVolume_AndMountsItReadOnlyInEveryContainer()
    {
        var pod = ServiceAccountAdmission.Mount(Pod(new Container { Name = "main" }), "x7k2q");

        var volume = System.Text.Json.JsonSerializer.Serialize(pod.Spec.Volumes!.Single(), GranaryJson.Options);
        Assert.Equal(
            """{"name":"kube-api-access-x7k2q","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"fieldPath":"metadata.namespace","apiVersion":"v1"}}]}}],"defaultMode":420}}""",
            volume);
        var expected = new VolumeMount { Name = "kube-api-access-x7k2q", ReadOnly = true, MountPath = "/var/run/secrets/kubernetes.io/serviceaccount" };
        Assert.Equal([expected], pod.Spec.Containers!.Single().VolumeMounts!);
        Assert.Equal([expected], pod.Spec.InitContainers!.Single().VolumeMounts!);
    }

    [Fact]
    public void Mount_ContainerWithItsOwnMountThere_IsLeftAlone()
    {
        var own = new VolumeMount { Name = "mine", MountPath = "/var/run/secrets/kubernetes.io/serviceaccount/" };
        var pod = ServiceAccountAdmission.Mount(Pod(new Container { Name = "main", VolumeMounts = [own] }, new Container { Name = "side" }), "abcde");

        Assert.Equal([own], pod.Spec.Containers![0].VolumeMounts!);
        Assert.Equal("kube-api-access-abcde", pod.Spec.Containers[1].VolumeMounts!.Single().Name);
    }
}
