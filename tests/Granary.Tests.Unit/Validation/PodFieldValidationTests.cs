using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

/// <summary>The rules of the pod fields beyond the basics: volumes, mounts, environment, init containers, security, DNS, scheduling.</summary>
public class PodFieldValidationTests
{
    private const string C0 = "spec.containers[0]";

    private static Case<Func<Pod, Pod>> Row(string name, Func<Pod, Pod> change, params string[] expected) => new(name, change, expected);

    private static Func<Pod, Pod> Container(Func<Container, Container> change) => p => p.WithContainer(change);

    private static Func<Pod, Pod> Spec(Func<PodSpec, PodSpec> change) => p => p.WithSpec(change);

    private static Func<Pod, Pod> Volume(Volume volume) => Spec(s => s with { Volumes = [volume] });

    private static Func<Pod, Pod> Mounted(Volume volume, params VolumeMount[] mounts) =>
        p => p.WithSpec(s => s with { Volumes = [volume] }).WithContainer(c => c with { VolumeMounts = [.. mounts] });

    private static Func<Pod, Pod> Env(EnvVar env) => Container(c => c with { Env = [env] });

    private static Func<Pod, Pod> Init(Container init) => Spec(s => s with { InitContainers = [init] });

    private static Func<Pod, Pod> Security(SecurityContext context) => Container(c => c with { SecurityContext = context });

    private static readonly Volume Scratch = new() { Name = "scratch", EmptyDir = new() };
    private static readonly Probe Exec = new() { Exec = new() { Command = ["true"] } };
    private static readonly Container Busybox = new() { Name = "init", Image = "busybox" };
    private const string Supported = "Granary supports emptyDir, hostPath, configMap, secret, projected, downwardAPI and persistentVolumeClaim volumes";

    public static TheoryData<Case<Func<Pod, Pod>>> ValidPods => new()
    {
        Row("every volume source", Spec(s => s with
        {
            Volumes =
            [
                Scratch,
                new() { Name = "memory", EmptyDir = new() { Medium = "Memory", SizeLimit = new Quantity("64Mi") } },
                new() { Name = "host", HostPath = new() { Path = "/var/log", Type = "DirectoryOrCreate" } },
                new() { Name = "config", ConfigMap = new() { Name = "settings", Items = [new() { Key = "a.conf", Path = "conf/a.conf", Mode = 256 }], DefaultMode = 420 } },
                new() { Name = "tls", Secret = new() { SecretName = "tls", Optional = true } },
                new() { Name = "data", PersistentVolumeClaim = new() { ClaimName = "data" } },
                new() { Name = "info", DownwardAPI = new() { Items = [new() { Path = "labels", FieldRef = new() { FieldPath = "metadata.labels" } }, new() { Path = "cpu", ResourceFieldRef = new() { ContainerName = "app", Resource = "limits.cpu", Divisor = new Quantity("1m") } }] } },
                new() { Name = "all", Projected = new() { Sources = [new() { ConfigMap = new() { Name = "a", Items = [new() { Key = "k", Path = "a" }] } }, new() { Secret = new() { Name = "b", Items = [new() { Key = "k", Path = "b" }] } }, new() { ServiceAccountToken = new() { Path = "token", ExpirationSeconds = 3600 } }] } },
            ],
        })),
        Row("mounts with subPath and readOnly", Mounted(Scratch, new VolumeMount { Name = "scratch", MountPath = "/a", SubPath = "x/y", ReadOnly = true, RecursiveReadOnly = "IfPossible" }, new VolumeMount { Name = "scratch", MountPath = "/b", SubPathExpr = "$(POD_NAME)" })),
        Row("env from every source", Container(c => c with
        {
            Env =
            [
                new() { Name = "A", ValueFrom = new() { ConfigMapKeyRef = new() { Name = "settings", Key = "a.key", Optional = true } } },
                new() { Name = "B", ValueFrom = new() { SecretKeyRef = new() { Name = "db", Key = "password" } } },
                new() { Name = "C", ValueFrom = new() { ResourceFieldRef = new() { Resource = "limits.memory", Divisor = new Quantity("1Mi") } } },
                new() { Name = "D", ValueFrom = new() { FieldRef = new() { FieldPath = "metadata.labels['app']" } } },
                new() { Name = "relaxed.name-1 with space", Value = "x" },
            ],
            EnvFrom = [new() { Prefix = "CM_", ConfigMapRef = new() { Name = "settings" } }, new() { SecretRef = new() { Name = "db" } }],
        })),
        Row("init container and sidecar with probes", Spec(s => s with { InitContainers = [Busybox, Busybox with { Name = "proxy", RestartPolicy = "Always", ReadinessProbe = Exec, Lifecycle = new() { PreStop = new() { Sleep = new() { Seconds = 5 } } } }] })),
        Row("security contexts", p => p.WithSpec(s => s with { SecurityContext = new() { RunAsUser = 1000, FsGroup = 2000, SupplementalGroups = [3000], Sysctls = [new() { Name = "net.ipv4.ip_local_port_range", Value = "1024 65535" }], SeccompProfile = new() { Type = "RuntimeDefault" } } })
            .WithContainer(c => c with { SecurityContext = new() { RunAsNonRoot = true, ReadOnlyRootFilesystem = true, AllowPrivilegeEscalation = false, Capabilities = new() { Drop = ["ALL"], Add = ["NET_BIND_SERVICE"] } } })),
        Row("dns, host aliases and scheduling", Spec(s => s with
        {
            DnsPolicy = "None",
            DnsConfig = new() { Nameservers = ["127.0.0.53"], Searches = ["svc.cluster.local"], Options = [new() { Name = "ndots", Value = "2" }] },
            HostAliases = [new() { Ip = "127.0.0.1", Hostnames = ["foo.local"] }],
            Subdomain = "web",
            ServiceAccountName = "robot",
            PriorityClassName = "high",
            PreemptionPolicy = "PreemptNever",
            Affinity = new()
            {
                NodeAffinity = new() { RequiredDuringSchedulingIgnoredDuringExecution = new() { NodeSelectorTerms = [new() { MatchExpressions = [new() { Key = "disk", Operator = "In", Values = ["ssd"] }] }] } },
                PodAntiAffinity = new() { PreferredDuringSchedulingIgnoredDuringExecution = [new() { Weight = 100, PodAffinityTerm = new() { TopologyKey = "kubernetes.io/hostname", LabelSelector = new() { MatchLabels = TestPods.Labels(("app", "web")) } } }] },
            },
            TopologySpreadConstraints = [new() { MaxSkew = 1, TopologyKey = "topology.kubernetes.io/zone", WhenUnsatisfiable = "ScheduleAnyway" }],
            SchedulingGates = [new() { Name = "example.com/wait" }],
        })),
    };

    public static TheoryData<Case<Func<Pod, Pod>>> InvalidPods => new()
    {
        // Volumes.
        Row("volume without a source", Volume(new() { Name = "nfs" }), $"spec.volumes[0]: Required value: must specify a volume type ({Supported})"),
        Row("volume with two sources", Volume(Scratch with { HostPath = new() { Path = "/tmp" } }), "spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type"),
        Row("volume name not a label", Volume(Scratch with { Name = "Data" }), $"spec.volumes[0].name: Invalid value: \"Data\": {KubernetesText.Label}"),
        Row("duplicate volume names", Spec(s => s with { Volumes = [Scratch, Scratch] }), "spec.volumes[1].name: Duplicate value: \"scratch\""),
        Row("emptyDir medium", Volume(Scratch with { EmptyDir = new() { Medium = "HugePages" } }), "spec.volumes[0].emptyDir.medium: Unsupported value: \"HugePages\": supported values: \"\", \"Memory\""),
        Row("hostPath relative", Volume(new() { Name = "h", HostPath = new() { Path = "data/../x", Type = "Dir" } }),
            "spec.volumes[0].hostPath.path: Invalid value: \"data/../x\": must be an absolute path",
            "spec.volumes[0].hostPath.path: Invalid value: \"data/../x\": must not contain '..'",
            "spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\""),
        Row("configMap items and modes", Volume(new() { Name = "c", ConfigMap = new() { DefaultMode = 1000, Items = [new() { Key = "", Path = "/etc/x", Mode = -1 }, new() { Key = "k", Path = "..data" }] } }),
            "spec.volumes[0].configMap.name: Required value",
            "spec.volumes[0].configMap.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive",
            "spec.volumes[0].configMap.items[0].key: Required value",
            "spec.volumes[0].configMap.items[0].path: Invalid value: \"/etc/x\": must be a relative path",
            "spec.volumes[0].configMap.items[0].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive",
            "spec.volumes[0].configMap.items[1].path: Invalid value: \"..data\": must not start with '..'"),
        Row("secret without a name", Volume(new() { Name = "s", Secret = new() }), "spec.volumes[0].secret.secretName: Required value"),
        Row("claim without a name", Volume(new() { Name = "p", PersistentVolumeClaim = new() }), "spec.volumes[0].persistentVolumeClaim.claimName: Required value"),
        Row("downwardAPI file without a source", Volume(new() { Name = "d", DownwardAPI = new() { Items = [new() { Path = "x" }, new() { Path = "y", FieldRef = new() { FieldPath = "status.podIP" } }] } }),
            "spec.volumes[0].downwardAPI: Required value: one of fieldRef and resourceFieldRef is required",
            "spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: \"status.podIP\": supported values: \"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", \"metadata.uid\""),
        Row("projected source with two kinds", Volume(new() { Name = "p", Projected = new() { Sources = [new() { ConfigMap = new() { Name = "a" }, Secret = new() { Name = "b" } }, new() { ServiceAccountToken = new() { Path = "t", ExpirationSeconds = 60 } }] } }),
            "spec.volumes[0].projected.sources[0]: Forbidden: may not specify more than 1 volume type per source",
            "spec.volumes[0].projected.sources[1].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"),

        // Mounts.
        Row("mount of a missing volume", Mounted(Scratch, new VolumeMount { Name = "data", MountPath = "/data" }), $"{C0}.volumeMounts[0].name: Not found: \"data\""),
        Row("mount paths", Mounted(Scratch, new VolumeMount { Name = "scratch", MountPath = "data", SubPath = "../x" }, new VolumeMount { Name = "scratch", MountPath = "data", SubPath = "a", SubPathExpr = "b" }),
            $"{C0}.volumeMounts[0].mountPath: Invalid value: \"data\": must be an absolute path",
            $"{C0}.volumeMounts.subPath: Invalid value: \"../x\": must not contain '..'",
            $"{C0}.volumeMounts[1].mountPath: Invalid value: \"data\": must be an absolute path",
            $"{C0}.volumeMounts[1].mountPath: Invalid value: \"data\": must be unique",
            $"{C0}.volumeMounts[1].subPathExpr: Invalid value: \"b\": subPathExpr and subPath are mutually exclusive"),
        Row("recursiveReadOnly without readOnly", Mounted(Scratch, new VolumeMount { Name = "scratch", MountPath = "/a", RecursiveReadOnly = "Enabled" }),
            $"{C0}.volumeMounts[0].recursiveReadOnly: Forbidden: may only be specified when readOnly is true"),
        Row("bidirectional propagation unprivileged", Mounted(Scratch, new VolumeMount { Name = "scratch", MountPath = "/a", MountPropagation = "Bidirectional" }),
            $"{C0}.volumeMounts[0].mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers"),

        // Environment.
        Row("env name with '='", Env(new() { Name = "A=B", Value = "x" }),
            $"{C0}.env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='"),
        Row("env valueFrom empty", Env(new() { Name = "A", ValueFrom = new() }),
            $"{C0}.env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"),
        Row("env value and valueFrom, value never echoed", Env(new() { Name = "A", Value = "s3cr3t", ValueFrom = new() { SecretKeyRef = new() { Name = "db", Key = "k" } } }),
            $"{C0}.env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"),
        Row("env two sources", Env(new() { Name = "A", ValueFrom = new() { SecretKeyRef = new() { Name = "db", Key = "k" }, ConfigMapKeyRef = new() { Name = "c", Key = "k" } } }),
            $"{C0}.env[0].valueFrom: Invalid value: \"\": may not have more than one field specified at a time"),
        Row("env secret key", Env(new() { Name = "A", ValueFrom = new() { SecretKeyRef = new() { Name = "db", Key = "a/b" } } }),
            $"{C0}.env[0].valueFrom.secretKeyRef.key: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
        Row("env fieldRef not supported", Env(new() { Name = "A", ValueFrom = new() { FieldRef = new() { FieldPath = "spec.nodeNames" } } }),
            $"{C0}.env[0].valueFrom.fieldRef.fieldPath: Invalid value: \"spec.nodeNames\": error converting fieldPath: field label not supported: spec.nodeNames"),
        Row("env resource divisor", Env(new() { Name = "A", ValueFrom = new() { ResourceFieldRef = new() { Resource = "limits.cpu", Divisor = new Quantity("2") } } }),
            $"{C0}.env[0].valueFrom.resourceFieldRef.divisor: Invalid value: \"2\": only divisor's values 1m and 1 are supported with the cpu resource"),
        Row("envFrom without a source", Container(c => c with { EnvFrom = [new() { Prefix = "A=" }] }),
            $"{C0}.envFrom[0].prefix: Invalid value: \"A=\": a valid environment variable name must consist only of printable ASCII characters other than '='",
            $"{C0}.envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"),

        // Policies.
        Row("pull and termination message policies", Container(c => c with { ImagePullPolicy = "Sometimes", TerminationMessagePolicy = "Log" }),
            $"{C0}.imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
            $"{C0}.terminationMessagePolicy: Invalid value: \"Log\": must be 'File' or 'FallbackToLogsOnError'"),
        Row("dns and preemption policies", Spec(s => s with { DnsPolicy = "Google", PreemptionPolicy = "Always" }),
            "spec.preemptionPolicy: Unsupported value: \"Always\": supported values: \"PreemptLowerPriority\", \"PreemptNever\"",
            "spec.dnsPolicy: Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""),
        Row("dnsPolicy None without config", Spec(s => s with { DnsPolicy = "None" }), "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
        Row("search line over 2048 characters", Spec(s => s with
            {
                DnsConfig = new() { Searches = [.. Enumerable.Range(0, 9).Select(i => string.Join('.', Enumerable.Repeat(new string((char)('a' + i), 60), 4)))] },
            }),
            "spec.dnsConfig.searches: Invalid value: must not have more than 2048 characters (including spaces) in the search list"),
        Row("subdomain not a label", Spec(s => s with { Subdomain = "a.b" }), $"spec.subdomain: Invalid value: \"a.b\": {KubernetesText.Label}"),

        // Init, sidecar and ephemeral containers.
        Row("init container named as a container", Init(Busybox with { Name = "app" }), "spec.initContainers[0].name: Duplicate value: \"app\""),
        Row("init container restartPolicy", Init(Busybox with { RestartPolicy = "OnFailure" }), "spec.initContainers[0].restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""),
        Row("restartPolicy on a container", Container(c => c with { RestartPolicy = "Always" }), $"{C0}.restartPolicy: Forbidden: may not be set for non-init containers"),
        Row("plain init container with probes", Init(Busybox with { ReadinessProbe = Exec, Lifecycle = new() }),
            "spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always",
            "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
        Row("ephemeral containers on create", Spec(s => s with { EphemeralContainers = [new() { Name = "debug", Image = "busybox" }] }), "spec.ephemeralContainers: Forbidden: cannot be set on create"),
        Row("hook without a handler", Container(c => c with { Lifecycle = new() { PostStart = new() } }), $"{C0}.lifecycle.postStart: Required value: must specify a handler type"),
        Row("readiness probe grace period", Container(c => c with { ReadinessProbe = Exec with { TerminationGracePeriodSeconds = 5 } }),
            $"{C0}.readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes"),

        // Security.
        Row("negative user and group", Security(new() { RunAsUser = -1, RunAsGroup = -2 }),
            $"{C0}.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive",
            $"{C0}.securityContext.runAsGroup: Invalid value: -2: must be between 0 and 2147483647, inclusive"),
        Row("privileged without escalation", Security(new() { Privileged = true, AllowPrivilegeEscalation = false }),
            $"{C0}.securityContext: Invalid value: cannot set `allowPrivilegeEscalation` to false and `privileged` to true"),
        Row("capability name", Security(new() { Capabilities = new() { Add = ["NET ADMIN"] } }),
            $"{C0}.securityContext.capabilities.add[0]: Invalid value: \"NET ADMIN\": a capability must be a name such as NET_ADMIN, CAP_NET_ADMIN or ALL (letters, digits and '_')"),
        Row("pod fsGroup", Spec(s => s with { SecurityContext = new() { FsGroup = -5 } }), "spec.securityContext.fsGroup: Invalid value: -5: must be between 0 and 2147483647, inclusive"),
        Row("seccomp Localhost without profile", Spec(s => s with { SecurityContext = new() { SeccompProfile = new() { Type = "Localhost" } } }),
            "spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"),

        Row("user namespaces", Spec(s => s with { HostUsers = false }),
            "spec.hostUsers: Forbidden: Granary does not run pods in user namespaces: remove hostUsers or set it to true"),

        // Scheduling.
        Row("affinity without terms", Spec(s => s with { Affinity = new() { NodeAffinity = new() { RequiredDuringSchedulingIgnoredDuringExecution = new() } } }),
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term"),
        Row("pod affinity weight and key", Spec(s => s with { Affinity = new() { PodAffinity = new() { PreferredDuringSchedulingIgnoredDuringExecution = [new() { Weight = 0 }] } } }),
            "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
            "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Required value: can not be empty"),
        Row("topology spread", Spec(s => s with { TopologySpreadConstraints = [new() { MaxSkew = 0, TopologyKey = "zone", WhenUnsatisfiable = "Maybe" }] }),
            "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
            "spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: \"Maybe\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\""),
    };

    [Theory]
    [MemberData(nameof(ValidPods))]
    public void Validate_ValidPod_ReportsNothing(Case<Func<Pod, Pod>> c)
    {
        var pod = c.Input(TestPods.Minimal());
        Assert.Empty(PodValidation.Validate(pod));
        Assert.Empty(PodValidation.Validate(PodDefaults.Apply(pod)));
    }

    [Theory]
    [MemberData(nameof(InvalidPods))]
    public void Validate_InvalidPod_ReportsKubernetesErrors(Case<Func<Pod, Pod>> c) =>
        Assert.Equal(c.Expected, PodValidation.Validate(c.Input(TestPods.Minimal())).Select(e => e.ToString()));
}
