using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' defaults for a pod (k8s.io/kubernetes pkg/apis/core/v1/defaults.go, plus what the ServiceAccount and
/// Priority admission plugins write), filled only where a field is unset (null or empty), so applying them twice
/// changes nothing. Probe numbers of 0 are unset too: Kubernetes cannot tell them apart and defaults them.
/// </summary>
public static class PodDefaults
{
    public const string DefaultScheduler = "default-scheduler";
    public const long DefaultTerminationGracePeriodSeconds = 30;
    public const string DefaultServiceAccount = "default";
    public const string DefaultTerminationMessagePath = "/dev/termination-log";
    public const string DefaultPreemptionPolicy = "PreemptLowerPriority";

    /// <summary>The PriorityClasses every Kubernetes cluster has; any other class name has no priority value here.</summary>
    public static readonly ImmutableDictionary<string, int> SystemPriorityClasses = ImmutableDictionary.CreateRange(
    [
        KeyValuePair.Create("system-cluster-critical", 2000000000),
        KeyValuePair.Create("system-node-critical", 2000001000),
    ]);

    /// <summary>A pod's defaults: those of every pod spec, then those kube gives only pods, never templates.</summary>
    public static Pod Apply(Pod pod) => pod with { Spec = PodOnly(Template(pod.Spec)) };

    /// <summary>
    /// The defaults of every pod spec, pod templates included (kube's SetDefaults_PodSpec and the per-field ones), so a
    /// Deployment holds what kube stores and its pods equal their template plus <see cref="PodOnly"/>.
    /// </summary>
    public static PodSpec Template(PodSpec spec) => spec with
    {
        RestartPolicy = OrDefault(spec.RestartPolicy, "Always"),
        TerminationGracePeriodSeconds = spec.TerminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds,
        DnsPolicy = OrDefault(spec.DnsPolicy, "ClusterFirst"),
        SchedulerName = OrDefault(spec.SchedulerName, DefaultScheduler),
        SecurityContext = spec.SecurityContext ?? new PodSecurityContext(),
        Containers = spec.Containers?.Select(Container).ToImmutableList(),
        InitContainers = spec.InitContainers?.Select(Container).ToImmutableList(),
        EphemeralContainers = spec.EphemeralContainers?.Select(c => (EphemeralContainer)Container(c)).ToImmutableList(),
        Volumes = spec.Volumes?.Select(VolumeDefaults.Volume).ToImmutableList(),
    };

    /// <summary>
    /// What kube sets on pods only (SetDefaults_Pod, and the ServiceAccount and Priority admission plugins): changing a
    /// template's fields would roll out every workload on upgrade, so kube keeps these out of templates.
    /// </summary>
    private static PodSpec PodOnly(PodSpec spec)
    {
        var hostNetwork = spec.HostNetwork == true;
        // serviceAccount is the deprecated name of serviceAccountName: whichever is set fills the other.
        var serviceAccount = OrDefault(spec.ServiceAccountName, OrDefault(spec.ServiceAccount, DefaultServiceAccount));
        return spec with
        {
            EnableServiceLinks = spec.EnableServiceLinks ?? true,
            ServiceAccountName = serviceAccount,
            ServiceAccount = serviceAccount,
            Priority = spec.Priority ?? Priority(spec.PriorityClassName),
            PreemptionPolicy = OrDefault(spec.PreemptionPolicy, DefaultPreemptionPolicy),
            Containers = spec.Containers?.Select(c => PodContainer(c, hostNetwork)).ToImmutableList(),
            InitContainers = spec.InitContainers?.Select(c => PodContainer(c, hostNetwork)).ToImmutableList(),
        };
    }

    private static Container PodContainer(Container container, bool hostNetwork) => container with
    {
        Ports = container.Ports?.Select(p => HostNetworkPort(p, hostNetwork)).ToImmutableList(),
        Resources = RequestsFromLimits(container.Resources),
    };

    // The Priority admission plugin: no class is priority 0; a class Granary does not know leaves it unset.
    private static int? Priority(string? className) =>
        string.IsNullOrEmpty(className) ? 0 : SystemPriorityClasses.TryGetValue(className, out var value) ? value : null;

    private static Container Container(Container container) => container with
    {
        ImagePullPolicy = OrDefault(container.ImagePullPolicy, PullPolicy(container.Image ?? "")),
        TerminationMessagePath = OrDefault(container.TerminationMessagePath, DefaultTerminationMessagePath),
        TerminationMessagePolicy = OrDefault(container.TerminationMessagePolicy, "File"),
        Ports = container.Ports?.Select(p => p with { Protocol = OrDefault(p.Protocol, "TCP") }).ToImmutableList(),
        Env = container.Env?.Select(Env).ToImmutableList(),
        Resources = container.Resources ?? new ResourceRequirements(),
        LivenessProbe = Probe(container.LivenessProbe),
        ReadinessProbe = Probe(container.ReadinessProbe),
        StartupProbe = Probe(container.StartupProbe),
        Lifecycle = container.Lifecycle is { } lifecycle
            ? lifecycle with { PostStart = Handler(lifecycle.PostStart), PreStop = Handler(lifecycle.PreStop) }
            : null,
    };

    // A moving tag is pulled every time; a fixed tag or a digest only when missing.
    private static string PullPolicy(string image) => ImageReference.Tag(image) == "latest" ? "Always" : "IfNotPresent";

    // On the host's network the container listens on the host's port.
    private static ContainerPort HostNetworkPort(ContainerPort port, bool hostNetwork) =>
        hostNetwork && port.HostPort is null or 0 ? port with { HostPort = port.Number } : port;

    private static EnvVar Env(EnvVar env) =>
        env.ValueFrom is { } source
            ? env with { ValueFrom = source with { FieldRef = FieldRef(source.FieldRef), ResourceFieldRef = ResourceFieldRef(source.ResourceFieldRef) } }
            : env;

    internal static ObjectFieldSelector? FieldRef(ObjectFieldSelector? fieldRef) =>
        fieldRef is null ? null : fieldRef with { ApiVersion = OrDefault(fieldRef.ApiVersion, "v1") };

    // kube's divisor is a plain Quantity, which it writes as "0" when unset.
    internal static ResourceFieldSelector? ResourceFieldRef(ResourceFieldSelector? resourceFieldRef) =>
        resourceFieldRef is null ? null : resourceFieldRef with { Divisor = resourceFieldRef.Divisor ?? new Quantity("0") };

    // Requests default to limits: a container that states only a limit is guaranteed that much.
    private static ResourceRequirements? RequestsFromLimits(ResourceRequirements? resources)
    {
        if (resources?.Limits is not { } limits)
            return resources;
        var requests = resources.Requests ?? ImmutableSortedDictionary<string, Quantity>.Empty;
        return resources with { Requests = requests.SetItems(limits.Where(l => !requests.ContainsKey(l.Key))) };
    }

    private static Probe? Probe(Probe? probe) => probe is null ? null : probe with
    {
        TimeoutSeconds = OrDefault(probe.TimeoutSeconds, 1),
        PeriodSeconds = OrDefault(probe.PeriodSeconds, 10),
        SuccessThreshold = OrDefault(probe.SuccessThreshold, 1),
        FailureThreshold = OrDefault(probe.FailureThreshold, 3),
        HttpGet = HttpGet(probe.HttpGet),
    };

    private static LifecycleHandler? Handler(LifecycleHandler? handler) =>
        handler is null ? null : handler with { HttpGet = HttpGet(handler.HttpGet) };

    private static HttpGetAction? HttpGet(HttpGetAction? http) =>
        http is null ? null : http with { Path = OrDefault(http.Path, "/"), Scheme = OrDefault(http.Scheme, "HTTP") };

    internal static string OrDefault(string? value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;

    private static int OrDefault(int? value, int fallback) => value is null or 0 ? fallback : value.Value;
}
