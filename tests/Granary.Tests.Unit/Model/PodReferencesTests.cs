using Granary.Model;

namespace Granary.Tests.Unit.Model;

public sealed class PodReferencesTests
{
    [Fact]
    public void Of_EverySourceOfReference_NamesEachObjectOnceInOrderMet()
    {
        var spec = new PodSpec
        {
            InitContainers =
            [
                new Container
                {
                    Name = "init",
                    Env = [new EnvVar { Name = "A", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new ConfigMapKeySelector { Name = "settings", Key = "a" } } }],
                },
            ],
            Containers =
            [
                new Container
                {
                    Name = "app",
                    Env =
                    [
                        new EnvVar { Name = "PASSWORD", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "db", Key = "password" } } },
                        new EnvVar { Name = "B", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new ConfigMapKeySelector { Name = "settings", Key = "b" } } },
                        new EnvVar { Name = "POD", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.name" } } },
                    ],
                    EnvFrom =
                    [
                        new EnvFromSource { ConfigMapRef = new ConfigMapEnvSource { Name = "env-cm" } },
                        new EnvFromSource { Prefix = "S_", SecretRef = new SecretEnvSource { Name = "env-secret" } },
                    ],
                },
            ],
            EphemeralContainers =
            [
                new EphemeralContainer { Name = "debug", EnvFrom = [new EnvFromSource { ConfigMapRef = new ConfigMapEnvSource { Name = "debug-cm" } }] },
            ],
            Volumes =
            [
                new Volume { Name = "config", ConfigMap = new ConfigMapVolumeSource { Name = "files" } },
                new Volume { Name = "certs", Secret = new SecretVolumeSource { SecretName = "tls" } },
                new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "data" } },
                new Volume { Name = "scratch", EmptyDir = new EmptyDirVolumeSource() },
                new Volume
                {
                    Name = "all-in-one",
                    Projected = new ProjectedVolumeSource
                    {
                        Sources =
                        [
                            new VolumeProjection { ConfigMap = new ConfigMapProjection { Name = "projected-cm" } },
                            new VolumeProjection { Secret = new SecretProjection { Name = "db" } },
                            new VolumeProjection { ServiceAccountToken = new ServiceAccountTokenProjection { Path = "token" } },
                        ],
                    },
                },
            ],
            ImagePullSecrets = [new LocalObjectReference { Name = "registry" }, new LocalObjectReference { Name = "tls" }],
        };

        var references = PodReferences.Of(spec);

        Assert.Equal(["settings", "env-cm", "debug-cm", "files", "projected-cm"], references.ConfigMaps);
        Assert.Equal(["db", "env-secret", "tls", "registry"], references.Secrets);
        Assert.Equal(["data"], references.PersistentVolumeClaims);
        Assert.False(references.IsEmpty);
    }

    [Fact]
    public void Of_APodWithoutReferences_IsEmpty()
    {
        var spec = new PodSpec
        {
            Containers = [new Container { Name = "app", Image = "busybox", Env = [new EnvVar { Name = "A", Value = "1" }] }],
            Volumes = [new Volume { Name = "scratch", EmptyDir = new EmptyDirVolumeSource() }],
        };

        Assert.True(PodReferences.Of(spec).IsEmpty);
    }

    [Fact]
    public void Of_EmptyNames_AreNotReferences()
    {
        var spec = new PodSpec
        {
            Containers = [new Container { Name = "app", EnvFrom = [new EnvFromSource { ConfigMapRef = new ConfigMapEnvSource { Name = "" } }] }],
            ImagePullSecrets = [new LocalObjectReference()],
        };

        Assert.True(PodReferences.Of(spec).IsEmpty);
    }
}
