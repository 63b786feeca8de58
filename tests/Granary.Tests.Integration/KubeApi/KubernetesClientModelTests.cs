using k8s;
using k8s.Models;
using static Granary.Tests.Integration.KubeApi.KubernetesClientSupport;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// Every served kind read back through the official client's models (get, list and a watch event), checked against the
/// required fields of Kubernetes 1.32's OpenAPI (<see cref="OpenApiRequiredFields"/>); and a pod that sets every pod
/// field Granary models, read back unchanged.
/// </summary>
public sealed partial class KubernetesClientTests
{
    private static readonly TimeSpan ModelWatchTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EveryKind_ReadThroughTheOfficialModels_CarriesEveryRequiredField()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-model");
        var node = $"kc-model-{Guid.NewGuid():N}"[..17];
        await _client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = node },
            Spec = new V1NodeSpec { Taints = [new V1Taint { Key = "kc-model", Effect = "NoSchedule" }] },
        });
        // The pod runs as ServiceAccount robot, which must exist first, as kube's ServiceAccount admission requires.
        await _client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        await _client.CoreV1.CreateNamespacedPodAsync(FullPod(), ns);
        await _client.CoreV1.ReplaceNamespacedPodStatusAsync(WithStatus(await _client.CoreV1.ReadNamespacedPodAsync("full", ns)), "full", ns);
        await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 80, TargetPort = 8080 }] },
        }, ns);
        await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "manual" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        }, ns);
        await _client.CoreV1.CreateNamespacedEndpointsAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "manual" },
            Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "127.0.0.9" }], Ports = [new Corev1EndpointPort { Port = 80 }] }],
        }, ns);
        await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = "manual-1", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "manual" } },
            AddressType = "IPv4",
            Endpoints = [new V1Endpoint { Addresses = ["127.0.0.9"] }],
            Ports = [new Discoveryv1EndpointPort { Port = 80 }],
        }, ns);
        await _client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "full.1" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "full", NamespaceProperty = ns, ApiVersion = "v1" },
            Reason = "Tested", Message = "read through the official models", Type = "Normal",
            Source = new V1EventSource { Component = "kc-model" },
        }, ns);
        await _client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec { Replicas = 1, Selector = Selector("web"), Template = Template("web") },
        }, ns);
        await _client.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "alone" },
            Spec = new V1ReplicaSetSpec { Replicas = 0, Selector = Selector("alone"), Template = Template("alone") },
        }, ns);

        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["a.key"] = "1" } }, ns);
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "db" }, StringData = new Dictionary<string, string> { ["password"] = "s3cr3t" } }, ns);
        await _client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "data" },
            Spec = new V1PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } } },
        }, ns);
        var storageClass = $"kc-model-{Guid.NewGuid():N}"[..17];
        await _client.StorageV1.CreateStorageClassAsync(new V1StorageClass { Metadata = new V1ObjectMeta { Name = storageClass }, Provisioner = "example.com/none" });
        await _client.CoreV1.CreatePersistentVolumeAsync(new V1PersistentVolume
        {
            Metadata = new V1ObjectMeta { Name = storageClass },
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") }, AccessModes = ["ReadWriteOnce"],
                StorageClassName = storageClass, HostPath = new V1HostPathVolumeSource { Path = "/tmp/kc-model" },
            },
        });

        var missing = new List<string>();
        void Check(string what, object? model) => missing.AddRange(OpenApiRequiredFields.Missing(model, what));

        // Watch events first: each waits on an object the test made or a controller makes for it, never on a timer.
        Check("watch pod", await FirstAddedAsync(_client.CoreV1.WatchListNamespacedPodAsync(ns, cancellationToken: Cancel()), p => p.Metadata.Name == "full", "pod full"));
        Check("watch pod of the deployment", await FirstAddedAsync(_client.CoreV1.WatchListNamespacedPodAsync(ns, labelSelector: "app=web", cancellationToken: Cancel()), _ => true, "a pod of deployment web"));
        Check("watch node", await FirstAddedAsync(_client.CoreV1.WatchListNodeAsync(fieldSelector: $"metadata.name={node}", cancellationToken: Cancel()), _ => true, $"node {node}"));
        Check("watch namespace", await FirstAddedAsync(_client.CoreV1.WatchListNamespaceAsync(fieldSelector: $"metadata.name={ns}", cancellationToken: Cancel()), _ => true, $"namespace {ns}"));
        Check("watch service", await FirstAddedAsync(_client.CoreV1.WatchListNamespacedServiceAsync(ns, cancellationToken: Cancel()), s => s.Metadata.Name == "web", "service web"));
        Check("watch endpoints", await FirstAddedAsync(_client.CoreV1.WatchListNamespacedEndpointsAsync(ns, cancellationToken: Cancel()), e => e.Metadata.Name == "web", "endpoints web (made by the service controller)"));
        Check("watch endpointslice", await FirstAddedAsync(_client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(ns, labelSelector: "kubernetes.io/service-name=web", cancellationToken: Cancel()), _ => true, "an endpoint slice of service web"));
        Check("watch event", await FirstAddedAsync(_client.CoreV1.WatchListNamespacedEventAsync(ns, cancellationToken: Cancel()), e => e.Metadata.Name == "full.1", "event full.1"));
        Check("watch deployment", await FirstAddedAsync(_client.AppsV1.WatchListNamespacedDeploymentAsync(ns, cancellationToken: Cancel()), d => d.Metadata.Name == "web", "deployment web"));
        Check("watch replicaset", await FirstAddedAsync(_client.AppsV1.WatchListNamespacedReplicaSetAsync(ns, labelSelector: "app=web", cancellationToken: Cancel()), _ => true, "the replica set of deployment web"));

        // Lists, which now hold what the controllers made too, and single reads.
        Check("list pods", await _client.CoreV1.ListNamespacedPodAsync(ns));
        Check("list nodes", await _client.CoreV1.ListNodeAsync());
        Check("list namespaces", await _client.CoreV1.ListNamespaceAsync());
        Check("list services", await _client.CoreV1.ListNamespacedServiceAsync(ns));
        Check("list endpoints", await _client.CoreV1.ListNamespacedEndpointsAsync(ns));
        Check("list endpointslices", await _client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns));
        Check("list events", await _client.CoreV1.ListNamespacedEventAsync(ns));
        Check("list deployments", await _client.AppsV1.ListNamespacedDeploymentAsync(ns));
        Check("list replicasets", await _client.AppsV1.ListNamespacedReplicaSetAsync(ns));
        Check("get pod", await _client.CoreV1.ReadNamespacedPodAsync("full", ns));
        Check("get node", await _client.CoreV1.ReadNodeAsync(node));
        Check("get deployment", await _client.AppsV1.ReadNamespacedDeploymentAsync("web", ns));
        Check("get replicaset", await _client.AppsV1.ReadNamespacedReplicaSetAsync("alone", ns));
        Check("get endpointslice", await _client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("manual-1", ns));
        Check("watch configmap", await FirstAddedAsync(_client.CoreV1.WatchListNamespacedConfigMapAsync(ns, cancellationToken: Cancel()), c => c.Metadata.Name == "settings", "configmap settings"));
        Check("list configmaps", await _client.CoreV1.ListNamespacedConfigMapAsync(ns));
        Check("list secrets", await _client.CoreV1.ListNamespacedSecretAsync(ns));
        Check("list serviceaccounts", await _client.CoreV1.ListNamespacedServiceAccountAsync(ns));
        Check("list persistentvolumeclaims", await _client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns));
        Check("get persistentvolume", await _client.CoreV1.ReadPersistentVolumeAsync(storageClass));
        Check("list storageclasses", await _client.StorageV1.ListStorageClassAsync());

        Assert.Empty(missing);
        await _client.CoreV1.DeleteNodeAsync(node);
        await _client.CoreV1.DeletePersistentVolumeAsync(storageClass);
        await _client.StorageV1.DeleteStorageClassAsync(storageClass);
    }

    [Fact]
    public async Task PodWithEveryField_RoundTripsThroughTheOfficialModels()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-fields");
        // The pod runs as ServiceAccount robot, which must exist first, as kube's ServiceAccount admission requires.
        await _client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        await _client.CoreV1.CreateNamespacedPodAsync(FullPod(), ns);
        await _client.CoreV1.ReplaceNamespacedPodStatusAsync(WithStatus(await _client.CoreV1.ReadNamespacedPodAsync("full", ns)), "full", ns);

        var pod = await _client.CoreV1.ReadNamespacedPodAsync("full", ns);
        var spec = pod.Spec;
        var app = spec.Containers[0];
        var init = spec.InitContainers;

        // Spec fields, with what kube-apiserver defaults.
        // kube's ServiceAccount admission appends the token volume (automountServiceAccountToken is true).
        Assert.Equal(["scratch", "memory", "host", "config", "tls", "data", "info", "all"], spec.Volumes.Take(8).Select(v => v.Name));
        Assert.StartsWith("kube-api-access-", spec.Volumes.Skip(8).Single().Name, StringComparison.Ordinal);
        Assert.Equal("Memory", spec.Volumes[1].EmptyDir.Medium);
        Assert.Equal("64Mi", spec.Volumes[1].EmptyDir.SizeLimit.ToString());
        Assert.Equal(("/var/log", "DirectoryOrCreate"), (spec.Volumes[2].HostPath.Path, spec.Volumes[2].HostPath.Type));
        Assert.Equal((420, "a.conf", "conf/a.conf", 256), (spec.Volumes[3].ConfigMap.DefaultMode, spec.Volumes[3].ConfigMap.Items[0].Key, spec.Volumes[3].ConfigMap.Items[0].Path, spec.Volumes[3].ConfigMap.Items[0].Mode));
        Assert.Equal(("tls", true, 384), (spec.Volumes[4].Secret.SecretName, spec.Volumes[4].Secret.Optional, spec.Volumes[4].Secret.DefaultMode));
        Assert.Equal(("data", true), (spec.Volumes[5].PersistentVolumeClaim.ClaimName, spec.Volumes[5].PersistentVolumeClaim.ReadOnlyProperty));
        Assert.Equal("v1", spec.Volumes[6].DownwardAPI.Items[0].FieldRef.ApiVersion);
        Assert.Equal(3600, spec.Volumes[7].Projected.Sources[2].ServiceAccountToken.ExpirationSeconds);
        Assert.Equal(["wait", "proxy"], init.Select(c => c.Name));
        Assert.Equal("Always", init[1].RestartPolicy);
        Assert.Equal(5, init[1].Lifecycle.PreStop.Sleep.Seconds);
        Assert.Equal(("/data", "sub", true), (app.VolumeMounts[0].MountPath, app.VolumeMounts[0].SubPath, app.VolumeMounts[0].ReadOnlyProperty));
        Assert.Equal(("settings", "a.key", true), (app.Env[0].ValueFrom.ConfigMapKeyRef.Name, app.Env[0].ValueFrom.ConfigMapKeyRef.Key, app.Env[0].ValueFrom.ConfigMapKeyRef.Optional));
        Assert.Equal(("db", "password"), (app.Env[1].ValueFrom.SecretKeyRef.Name, app.Env[1].ValueFrom.SecretKeyRef.Key));
        Assert.Equal(("CM_", "settings", "db"), (app.EnvFrom[0].Prefix, app.EnvFrom[0].ConfigMapRef.Name, app.EnvFrom[1].SecretRef.Name));
        Assert.Equal<(long?, bool?, bool?, bool?)>((1000, true, false, true), (app.SecurityContext.RunAsUser, app.SecurityContext.RunAsNonRoot, app.SecurityContext.AllowPrivilegeEscalation, app.SecurityContext.ReadOnlyRootFilesystem));
        Assert.Equal(["ALL"], app.SecurityContext.Capabilities.Drop);
        Assert.Equal(("IfNotPresent", "/dev/termination-log", "FallbackToLogsOnError"), (app.ImagePullPolicy, app.TerminationMessagePath, app.TerminationMessagePolicy));
        Assert.Equal(("/healthz", "X-Probe", 7), (app.LivenessProbe.HttpGet.Path, app.LivenessProbe.HttpGet.HttpHeaders[0].Name, app.LivenessProbe.TerminationGracePeriodSeconds));
        Assert.Equal(9090, app.ReadinessProbe.Grpc.Port);
        Assert.Equal(["sh", "-c", "echo started"], app.Lifecycle.PostStart.Exec.Command);
        Assert.Equal((true, true, true), (app.Stdin, app.StdinOnce, app.Tty));
        Assert.Equal(("robot", "robot", true), (spec.ServiceAccountName, spec.ServiceAccount, spec.AutomountServiceAccountToken));
        Assert.Equal(("ClusterFirstWithHostNet", true, true), (spec.DnsPolicy, spec.HostPID, spec.HostIPC));
        Assert.Equal(["127.0.0.53"], spec.DnsConfig.Nameservers);
        Assert.Equal<(long?, string)>((2000, "OnRootMismatch"), (spec.SecurityContext.FsGroup, spec.SecurityContext.FsGroupChangePolicy));
        Assert.Equal("registry", spec.ImagePullSecrets[0].Name);
        Assert.Equal(("full", "web"), (spec.Hostname, spec.Subdomain));
        Assert.Equal("disk", spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Key);
        Assert.Equal("kubernetes.io/hostname", spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm.TopologyKey);
        Assert.Equal(("system-node-critical", 2000001000, "PreemptNever"), (spec.PriorityClassName, spec.Priority, spec.PreemptionPolicy));
        Assert.Equal(("foo.local", "kc-ready"), (spec.HostAliases[0].Hostnames[0], spec.ReadinessGates[0].ConditionType));
        Assert.Equal(("topology.kubernetes.io/zone", "linux", false), (spec.TopologySpreadConstraints[0].TopologyKey, spec.Os.Name, spec.EnableServiceLinks));
        Assert.Equal<(string, bool?, bool?)>(("runc", true, false), (spec.RuntimeClassName, spec.SetHostnameAsFQDN, spec.ShareProcessNamespace));

        // Status fields as written to /status, with the QoS class the server set at creation.
        var status = pod.Status;
        Assert.Equal("Burstable", status.QosClass);
        Assert.Equal(["127.1.0.5"], status.PodIPs.Select(i => i.Ip));
        Assert.Equal(["127.0.0.11"], status.HostIPs.Select(i => i.Ip));
        var app0 = status.ContainerStatuses[0];
        Assert.Equal(("docker://abc", "sha256:0123", true, 2), (app0.ContainerID, app0.ImageID, app0.Started, app0.RestartCount));
        Assert.Equal(137, app0.LastState.Terminated.ExitCode);
        Assert.Equal((1000L, 1000L), (app0.User.Linux.Uid, app0.User.Linux.Gid));
        Assert.Equal("/data", app0.VolumeMounts[0].MountPath);
        Assert.Equal("Completed", status.InitContainerStatuses[0].State.Terminated.Reason);
    }

    private static CancellationToken Cancel() => new CancellationTokenSource(ModelWatchTimeout).Token;

    /// <summary>The first ADDED event whose object matches; the timeout names what was awaited.</summary>
    private static async Task<T> FirstAddedAsync<T>(IAsyncEnumerable<(WatchEventType Type, T Object)> events, Func<T, bool> match, string what)
    {
        try
        {
            await foreach (var (type, item) in events)
                if (type == WatchEventType.Added && match(item))
                    return item;
        }
        catch (OperationCanceledException)
        {
        }
        Assert.Fail($"watching for {what}: no ADDED event within {ModelWatchTimeout}");
        return default!;
    }

    private static V1LabelSelector Selector(string app) => new() { MatchLabels = new Dictionary<string, string> { ["app"] = app } };

    private static V1PodTemplateSpec Template(string app) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "main", Image = "local/busybox:1", Command = ["sleep", "3600"], Env = [new V1EnvVar { Name = "POD", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } }] }],
            Tolerations = [new V1Toleration { Key = "kc-model", OperatorProperty = "Exists" }],
        },
    };

    /// <summary>A pod setting every group of pod fields, bound to <see cref="IdleNode"/> so nothing else writes to it.</summary>
    private static V1Pod FullPod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "full", Labels = new Dictionary<string, string> { ["app"] = "full" } },
        Spec = new V1PodSpec
        {
            NodeName = IdleNode,
            Volumes =
            [
                new() { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() },
                new() { Name = "memory", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("64Mi") } },
                new() { Name = "host", HostPath = new V1HostPathVolumeSource { Path = "/var/log", Type = "DirectoryOrCreate" } },
                new() { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings", Items = [new V1KeyToPath { Key = "a.conf", Path = "conf/a.conf", Mode = 256 }] } },
                new() { Name = "tls", Secret = new V1SecretVolumeSource { SecretName = "tls", Optional = true, DefaultMode = 384 } },
                new() { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data", ReadOnlyProperty = true } },
                new() { Name = "info", DownwardAPI = new V1DownwardAPIVolumeSource { Items = [new V1DownwardAPIVolumeFile { Path = "labels", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels" } }] } },
                new()
                {
                    Name = "all",
                    Projected = new V1ProjectedVolumeSource
                    {
                        Sources =
                        [
                            new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "settings", Items = [new V1KeyToPath { Key = "k", Path = "a" }] } },
                            new V1VolumeProjection { Secret = new V1SecretProjection { Name = "db", Items = [new V1KeyToPath { Key = "k", Path = "b" }] } },
                            new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token", Audience = "api" } },
                        ],
                    },
                },
            ],
            InitContainers =
            [
                new V1Container { Name = "wait", Image = "local/busybox:1", Command = ["true"] },
                new V1Container
                {
                    Name = "proxy", Image = "local/busybox:1", RestartPolicy = "Always",
                    ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = 15000 } },
                    Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 5 } } },
                },
            ],
            Containers =
            [
                new V1Container
                {
                    Name = "app", Image = "local/busybox:1", Command = ["sleep", "3600"], WorkingDir = "/data",
                    Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }],
                    Env =
                    [
                        new V1EnvVar { Name = "A", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "a.key", Optional = true } } },
                        new V1EnvVar { Name = "PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "db", Key = "password" } } },
                        new V1EnvVar { Name = "MEMORY", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") } } },
                    ],
                    EnvFrom = [new V1EnvFromSource { Prefix = "CM_", ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" } }, new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "db" } }],
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
                        Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("128Mi") },
                    },
                    ResizePolicy = [new V1ContainerResizePolicy { ResourceName = "cpu", RestartPolicy = "NotRequired" }],
                    VolumeMounts = [new V1VolumeMount { Name = "scratch", MountPath = "/data", SubPath = "sub", ReadOnlyProperty = true }, new V1VolumeMount { Name = "config", MountPath = "/etc/app" }],
                    LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 8080, HttpHeaders = [new V1HTTPHeader { Name = "X-Probe", Value = "1" }] }, TerminationGracePeriodSeconds = 7 },
                    ReadinessProbe = new V1Probe { Grpc = new V1GRPCAction { Port = 9090 } },
                    Lifecycle = new V1Lifecycle { PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["sh", "-c", "echo started"] } } },
                    TerminationMessagePolicy = "FallbackToLogsOnError",
                    ImagePullPolicy = "IfNotPresent",
                    SecurityContext = new V1SecurityContext
                    {
                        RunAsUser = 1000, RunAsGroup = 1000, RunAsNonRoot = true, ReadOnlyRootFilesystem = true, AllowPrivilegeEscalation = false,
                        Capabilities = new V1Capabilities { Drop = ["ALL"] }, SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                    },
                    Stdin = true, StdinOnce = true, Tty = true,
                },
            ],
            ServiceAccountName = "robot",
            AutomountServiceAccountToken = true,
            DnsPolicy = "ClusterFirstWithHostNet",
            DnsConfig = new V1PodDNSConfig { Nameservers = ["127.0.0.53"], Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }] },
            HostPID = true,
            HostIPC = true,
            ShareProcessNamespace = false,
            SecurityContext = new V1PodSecurityContext { FsGroup = 2000, FsGroupChangePolicy = "OnRootMismatch", SupplementalGroups = [3000], Sysctls = [new V1Sysctl { Name = "net.ipv4.ping_group_range", Value = "0 1" }] },
            ImagePullSecrets = [new V1LocalObjectReference { Name = "registry" }],
            Hostname = "full",
            Subdomain = "web",
            Affinity = new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "disk", OperatorProperty = "In", Values = ["ssd"] }] }] },
                },
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { Weight = 50, PodAffinityTerm = new V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = Selector("full") } }],
                },
            },
            Tolerations = [new V1Toleration { Key = "kc-model", OperatorProperty = "Exists" }],
            HostAliases = [new V1HostAlias { Ip = "127.0.0.1", Hostnames = ["foo.local"] }],
            PriorityClassName = "system-node-critical",
            PreemptionPolicy = "PreemptNever",
            ReadinessGates = [new V1PodReadinessGate { ConditionType = "kc-ready" }],
            RuntimeClassName = "runc",
            EnableServiceLinks = false,
            TopologySpreadConstraints = [new V1TopologySpreadConstraint { MaxSkew = 1, TopologyKey = "topology.kubernetes.io/zone", WhenUnsatisfiable = "ScheduleAnyway", LabelSelector = Selector("full") }],
            SetHostnameAsFQDN = true,
            Os = new V1PodOS { Name = "linux" },
        },
    };

    /// <summary>The status a kubelet writes for <see cref="FullPod"/>: addresses, container and init container states.</summary>
    private static V1Pod WithStatus(V1Pod pod)
    {
        var now = DateTime.UtcNow;
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            HostIP = "127.0.0.11", HostIPs = [new V1HostIP { Ip = "127.0.0.11" }],
            PodIP = "127.1.0.5", PodIPs = [new V1PodIP { Ip = "127.1.0.5" }],
            StartTime = now,
            Conditions = [new V1PodCondition { Type = "Ready", Status = "False", LastTransitionTime = now }],
            InitContainerStatuses =
            [
                new V1ContainerStatus { Name = "wait", Image = "local/busybox:1", ImageID = "sha256:0123", Ready = true, RestartCount = 0, State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed" } } },
                new V1ContainerStatus { Name = "proxy", Image = "local/busybox:1", ImageID = "sha256:0123", Ready = false, RestartCount = 0, Started = true, State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } } },
            ],
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = "app", Image = "local/busybox:1", ImageID = "sha256:0123", ContainerID = "docker://abc", Ready = false, RestartCount = 2, Started = true,
                    State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } },
                    LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Reason = "OOMKilled", FinishedAt = now } },
                    User = new V1ContainerUser { Linux = new V1LinuxContainerUser { Uid = 1000, Gid = 1000, SupplementalGroups = [3000] } },
                    VolumeMounts = [new V1VolumeMountStatus { Name = "scratch", MountPath = "/data", ReadOnlyProperty = true }],
                },
            ],
        };
        return pod;
    }
}
