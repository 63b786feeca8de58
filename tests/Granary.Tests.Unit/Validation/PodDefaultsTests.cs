using Granary.Grains.Validation;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Tests.Unit.Validation;

public class PodDefaultsTests
{
    private static Pod WithImage(string image) => TestPods.Minimal().WithContainer(c => c with { Image = image });

    private static Container FirstContainer(Pod pod) => pod.Spec.Containers![0];

    [Fact]
    public void Apply_MinimalPod_FillsOnlyKubernetesDefaults() =>
        Assert.Equal(
            """{"containers":[{"name":"app","image":"nginx:1.27","resources":{},"imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler","dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","securityContext":{},"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"}""",
            GranaryJson.Serialize(PodDefaults.Apply(TestPods.Minimal()).Spec));

    [Fact]
    public void Template_MinimalSpec_FillsOnlyWhatKubeStoresInTemplates() =>
        Assert.Equal(
            """{"containers":[{"name":"app","image":"nginx:1.27","resources":{},"imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler","dnsPolicy":"ClusterFirst","securityContext":{}}""",
            GranaryJson.Serialize(PodDefaults.Template(TestPods.Minimal().Spec)));

    [Theory]
    [InlineData(null, null, "default", null, 0)]
    [InlineData("robot", null, "robot", null, 0)]
    [InlineData(null, "legacy", "legacy", null, 0)]
    [InlineData(null, null, "default", "system-node-critical", 2000001000)]
    [InlineData(null, null, "default", "system-cluster-critical", 2000000000)]
    [InlineData(null, null, "default", "team-high", null)]
    public void Apply_ServiceAccountAndPriority_AsTheAdmissionPluginsSetThem(string? name, string? legacy, string expected, string? priorityClass, int? priority)
    {
        var spec = PodDefaults.Apply(TestPods.Minimal().WithSpec(s => s with { ServiceAccountName = name, ServiceAccount = legacy, PriorityClassName = priorityClass })).Spec;

        Assert.Equal((expected, expected, priority), (spec.ServiceAccountName, spec.ServiceAccount, spec.Priority));
    }

    [Fact]
    public void Apply_InitContainersAndLifecycle_GetContainerDefaults()
    {
        var pod = TestPods.Minimal()
            .WithSpec(s => s with { InitContainers = [new() { Name = "init", Image = "busybox", Ports = [new() { Number = 80 }] }] })
            .WithContainer(c => c with { Lifecycle = new() { PreStop = new() { HttpGet = new() { Port = 80 } } } });

        var spec = PodDefaults.Apply(pod).Spec;

        Assert.Equal(
            """{"name":"init","image":"busybox","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{},"imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}""",
            GranaryJson.Serialize(spec.InitContainers![0]));
        Assert.Equal("""{"path":"/","port":80,"scheme":"HTTP"}""", GranaryJson.Serialize(spec.Containers![0].Lifecycle!.PreStop!.HttpGet));
    }

    [Fact]
    public void Apply_Volumes_DefaultModesHostPathTypeAndFieldRefs()
    {
        var pod = TestPods.Minimal().WithSpec(s => s with
        {
            Volumes =
            [
                new() { Name = "a", ConfigMap = new() { Name = "cm" } },
                new() { Name = "b", Secret = new() { SecretName = "s", DefaultMode = 256 } },
                new() { Name = "c", HostPath = new() { Path = "/data" } },
                new() { Name = "d", DownwardAPI = new() { Items = [new() { Path = "labels", FieldRef = new() { FieldPath = "metadata.labels" } }] } },
                new() { Name = "e", Projected = new() { Sources = [new() { ServiceAccountToken = new() { Path = "token" } }] } },
                new() { Name = "f", EmptyDir = new() },
            ],
        });

        var volumes = PodDefaults.Apply(pod).Spec.Volumes!;

        Assert.Equal(
            [
                """{"name":"a","configMap":{"name":"cm","defaultMode":420}}""",
                """{"name":"b","secret":{"secretName":"s","defaultMode":256}}""",
                """{"name":"c","hostPath":{"path":"/data","type":""}}""",
                """{"name":"d","downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels","apiVersion":"v1"}}],"defaultMode":420}}""",
                """{"name":"e","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3600,"path":"token"}}],"defaultMode":420}}""",
                """{"name":"f","emptyDir":{}}""",
            ],
            volumes.Select(v => GranaryJson.Serialize(v)));
    }

    [Fact]
    public void Apply_NoContainers_InventsNone() =>
        Assert.Null(PodDefaults.Apply(new Pod()).Spec.Containers);

    [Fact]
    public void Apply_ValuesSet_KeepsThem()
    {
        var pod = TestPods.Minimal()
            .WithSpec(s => s with { RestartPolicy = "Never", TerminationGracePeriodSeconds = 0, SchedulerName = "my-scheduler" })
            .WithContainer(c => c with { ImagePullPolicy = "Never" });

        var spec = PodDefaults.Apply(pod).Spec;

        Assert.Equal(("Never", 0L, "my-scheduler", "Never"),
            (spec.RestartPolicy, spec.TerminationGracePeriodSeconds, spec.SchedulerName, spec.Containers![0].ImagePullPolicy));
    }

    [Fact]
    public void Apply_EmptyStrings_AreDefaultedAsUnset()
    {
        var spec = PodDefaults.Apply(TestPods.Minimal().WithSpec(s => s with { RestartPolicy = "", SchedulerName = "" })).Spec;
        Assert.Equal(("Always", "default-scheduler"), (spec.RestartPolicy, spec.SchedulerName));
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.27", "IfNotPresent")]
    [InlineData("library/nginx:1.27-alpine", "IfNotPresent")]
    [InlineData("registry.example.com:5000/team/web", "Always")]
    [InlineData("registry.example.com:5000/team/web:2.0", "IfNotPresent")]
    [InlineData("registry.example.com:5000/team/web:latest", "Always")]
    [InlineData("nginx@sha256:0123456789abcdef", "IfNotPresent")]
    [InlineData("nginx:1.27@sha256:0123456789abcdef", "IfNotPresent")]
    [InlineData("nginx:latest@sha256:0123456789abcdef", "Always")]
    public void Apply_Image_DefaultsPullPolicyByTag(string image, string expected) =>
        Assert.Equal(expected, FirstContainer(PodDefaults.Apply(WithImage(image))).ImagePullPolicy);

    [Theory]
    [InlineData(null, false, null, "TCP", null)]
    [InlineData("UDP", false, null, "UDP", null)]
    [InlineData(null, true, null, "TCP", 8080)]
    [InlineData(null, true, 0, "TCP", 8080)]
    [InlineData(null, true, 9090, "TCP", 9090)]
    public void Apply_Port_DefaultsProtocolAndHostPortOnHostNetwork(string? protocol, bool hostNetwork, int? hostPort, string expectedProtocol, int? expectedHostPort)
    {
        var pod = TestPods.Minimal()
            .WithSpec(s => s with { HostNetwork = hostNetwork })
            .WithContainer(c => c with { Ports = [new() { Number = 8080, Protocol = protocol, HostPort = hostPort }] });

        var port = FirstContainer(PodDefaults.Apply(pod)).Ports![0];

        Assert.Equal((expectedProtocol, expectedHostPort), (port.Protocol, port.HostPort));
    }

    public static TheoryData<string, Probe, string> Probes => new()
    {
        { "httpGet unset", new() { HttpGet = new() { Port = 80 } },
            """{"httpGet":{"path":"/","port":80,"scheme":"HTTP"},"periodSeconds":10,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3}""" },
        { "exec, zeros as unset", new() { Exec = new() { Command = ["true"] }, PeriodSeconds = 0, TimeoutSeconds = 0, SuccessThreshold = 0, FailureThreshold = 0 },
            """{"exec":{"command":["true"]},"periodSeconds":10,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3}""" },
        { "values set", new() { HttpGet = new() { Path = "/healthz", Port = "http", Scheme = "HTTPS" }, InitialDelaySeconds = 5, PeriodSeconds = 3, TimeoutSeconds = 2, SuccessThreshold = 2, FailureThreshold = 1 },
            """{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTPS"},"initialDelaySeconds":5,"periodSeconds":3,"timeoutSeconds":2,"successThreshold":2,"failureThreshold":1}""" },
    };

    [Theory]
    [MemberData(nameof(Probes))]
    public void Apply_Probe_DefaultsUnsetNumbersPathAndScheme(string name, Probe probe, string expected)
    {
        _ = name;
        var pod = TestPods.Minimal().WithContainer(c => c with { LivenessProbe = probe, ReadinessProbe = probe, StartupProbe = probe });

        var container = FirstContainer(PodDefaults.Apply(pod));

        Assert.Equal(
            [expected, expected, expected],
            new[] { container.LivenessProbe, container.ReadinessProbe, container.StartupProbe }.Select(p => GranaryJson.Serialize(p)));
    }

    public static TheoryData<string, ResourceRequirements?, string> Resources => new()
    {
        { "none", null, "{}" },
        { "requests only", new() { Requests = TestPods.Quantities(("cpu", "1")) }, """{"requests":{"cpu":"1"}}""" },
        { "limits only", new() { Limits = TestPods.Quantities(("cpu", "1"), ("memory", "1Gi")) },
            """{"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}}""" },
        { "some requests", new() { Requests = TestPods.Quantities(("cpu", "500m")), Limits = TestPods.Quantities(("cpu", "1"), ("memory", "1Gi")) },
            """{"requests":{"cpu":"500m","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}}""" },
    };

    [Theory]
    [MemberData(nameof(Resources))]
    public void Apply_Resources_CopiesLimitsIntoMissingRequests(string name, ResourceRequirements? resources, string expected)
    {
        _ = name;
        var container = FirstContainer(PodDefaults.Apply(TestPods.Minimal().WithContainer(c => c with { Resources = resources })));
        Assert.Equal(expected, GranaryJson.Serialize(container.Resources));
    }

    [Theory]
    [InlineData(null, "v1")]
    [InlineData("", "v1")]
    [InlineData("v2", "v2")]
    public void Apply_EnvFieldRef_DefaultsApiVersion(string? apiVersion, string expected)
    {
        var pod = TestPods.Minimal().WithContainer(c => c with
        {
            Env = [new() { Name = "NAME", ValueFrom = new() { FieldRef = new() { FieldPath = "metadata.name", ApiVersion = apiVersion } } }, new() { Name = "PLAIN", Value = "x" }],
        });

        var env = FirstContainer(PodDefaults.Apply(pod)).Env!;

        Assert.Equal((expected, null), (env[0].ValueFrom!.FieldRef!.ApiVersion, env[1].ValueFrom));
    }

    public static TheoryData<string> PodsToDefault => new() { "minimal", "full", "empty" };

    [Theory]
    [MemberData(nameof(PodsToDefault))]
    public void Apply_Twice_SameAsOnce(string which)
    {
        var pod = which switch { "minimal" => TestPods.Minimal(), "full" => TestPods.Full(), _ => new Pod() };
        var once = PodDefaults.Apply(pod);

        Assert.Equal(GranaryJson.SerializeResource(once), GranaryJson.SerializeResource(PodDefaults.Apply(once)));
    }

    [Theory]
    [MemberData(nameof(PodsToDefault))]
    public void Apply_ValidPod_StaysValid(string which)
    {
        var pod = which switch { "minimal" => TestPods.Minimal(), "full" => TestPods.Full(), _ => TestPods.Minimal() };
        Assert.Empty(PodValidation.Validate(PodDefaults.Apply(pod)));
    }
}
