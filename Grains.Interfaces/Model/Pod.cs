using System.Collections.Immutable;

namespace Granary.Model;

[GenerateSerializer, Immutable, Alias("granary.Pod")]
public sealed record Pod : IResource<Pod>
{
    public static ResourceKind ResourceKind => ResourceKinds.Pod;

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "Pod";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public PodSpec Spec { get; init; } = new();
    [Id(4)] public PodStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>
/// Every field of core/v1 PodSpec (Kubernetes 1.32). What the node agent honours and what is accepted without effect
/// is listed in the README ("Pod fields").
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.PodSpec")]
public sealed record PodSpec
{
    [Id(0)] public ImmutableList<Container>? Containers { get; init; }
    [Id(1)] public string? RestartPolicy { get; init; }
    [Id(2)] public ImmutableSortedDictionary<string, string>? NodeSelector { get; init; }
    [Id(3)] public string? NodeName { get; init; }
    [Id(4)] public ImmutableList<Toleration>? Tolerations { get; init; }
    [Id(5)] public long? TerminationGracePeriodSeconds { get; init; }
    [Id(6)] public bool? HostNetwork { get; init; }
    [Id(7)] public string? SchedulerName { get; init; }
    [Id(8)] public long? ActiveDeadlineSeconds { get; init; }
    [Id(9)] public string? Hostname { get; init; }
    [Id(10)] public ImmutableList<Volume>? Volumes { get; init; }
    [Id(11)] public ImmutableList<Container>? InitContainers { get; init; }
    [Id(12)] public ImmutableList<EphemeralContainer>? EphemeralContainers { get; init; }
    [Id(13)] public string? DnsPolicy { get; init; }
    [Id(14)] public string? ServiceAccountName { get; init; }

    /// <summary>Deprecated alias of <see cref="ServiceAccountName"/>, kept equal to it as kube-apiserver does.</summary>
    [Id(15)] public string? ServiceAccount { get; init; }

    [Id(16)] public bool? AutomountServiceAccountToken { get; init; }
    [Id(17)] public bool? HostPID { get; init; }
    [Id(18)] public bool? HostIPC { get; init; }
    [Id(19)] public bool? ShareProcessNamespace { get; init; }
    [Id(20)] public PodSecurityContext? SecurityContext { get; init; }
    [Id(21)] public ImmutableList<LocalObjectReference>? ImagePullSecrets { get; init; }
    [Id(22)] public string? Subdomain { get; init; }
    [Id(23)] public Affinity? Affinity { get; init; }
    [Id(24)] public ImmutableList<HostAlias>? HostAliases { get; init; }
    [Id(25)] public string? PriorityClassName { get; init; }
    [Id(26)] public int? Priority { get; init; }
    [Id(27)] public PodDNSConfig? DnsConfig { get; init; }
    [Id(28)] public ImmutableList<PodReadinessGate>? ReadinessGates { get; init; }
    [Id(29)] public string? RuntimeClassName { get; init; }
    [Id(30)] public bool? EnableServiceLinks { get; init; }
    [Id(31)] public string? PreemptionPolicy { get; init; }
    [Id(32)] public ImmutableSortedDictionary<string, Quantity>? Overhead { get; init; }
    [Id(33)] public ImmutableList<TopologySpreadConstraint>? TopologySpreadConstraints { get; init; }
    [Id(34)] public bool? SetHostnameAsFQDN { get; init; }
    [Id(35)] public PodOS? Os { get; init; }
    [Id(36)] public bool? HostUsers { get; init; }
    [Id(37)] public ImmutableList<PodSchedulingGate>? SchedulingGates { get; init; }
    [Id(38)] public ImmutableList<PodResourceClaim>? ResourceClaims { get; init; }

    /// <summary>Pod-level requests and limits (kube's PodLevelResources, alpha in 1.32).</summary>
    [Id(39)] public ResourceRequirements? Resources { get; init; }
}
