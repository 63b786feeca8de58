using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>Every field of core/v1 PodStatus (Kubernetes 1.32), as the kubelet and kube-apiserver write it.</summary>
[GenerateSerializer, Immutable, Alias("granary.PodStatus")]
public sealed record PodStatus
{
    [Id(0)] public string? Phase { get; init; }
    [Id(1)] public ImmutableList<PodCondition>? Conditions { get; init; }
    [Id(2)] public ImmutableList<ContainerStatus>? ContainerStatuses { get; init; }
    [Id(3)] public string? HostIP { get; init; }
    [Id(4)] public string? PodIP { get; init; }
    [Id(5)] public DateTimeOffset? StartTime { get; init; }
    [Id(6)] public string? Reason { get; init; }
    [Id(7)] public string? Message { get; init; }
    [Id(8)] public string? NominatedNodeName { get; init; }
    [Id(9)] public ImmutableList<HostIP>? HostIPs { get; init; }
    [Id(10)] public ImmutableList<PodIP>? PodIPs { get; init; }
    [Id(11)] public ImmutableList<ContainerStatus>? InitContainerStatuses { get; init; }

    /// <summary>Guaranteed, Burstable or BestEffort; set when the pod is created (see PodQos) and never changed.</summary>
    [Id(12)] public string? QosClass { get; init; }

    [Id(13)] public ImmutableList<ContainerStatus>? EphemeralContainerStatuses { get; init; }
    [Id(14)] public string? Resize { get; init; }
    [Id(15)] public ImmutableList<PodResourceClaimStatus>? ResourceClaimStatuses { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PodCondition")]
public sealed record PodCondition
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Status { get; init; } = "";
    [Id(2)] public string? Reason { get; init; }
    [Id(3)] public string? Message { get; init; }
    [Id(4)] public DateTimeOffset? LastTransitionTime { get; init; }
    [Id(5)] public DateTimeOffset? LastProbeTime { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.HostIP")]
public sealed record HostIP
{
    [Id(0)] public string Ip { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("granary.PodIP")]
public sealed record PodIP
{
    [Id(0)] public string Ip { get; init; } = "";
}

/// <summary>The name of the ResourceClaim made for one of the pod's <c>resourceClaims</c> from a template.</summary>
[GenerateSerializer, Immutable, Alias("granary.PodResourceClaimStatus")]
public sealed record PodResourceClaimStatus
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? ResourceClaimName { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ContainerStatus")]
public sealed record ContainerStatus
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public bool Ready { get; init; }
    [Id(2)] public int RestartCount { get; init; }
    // Required in kube's OpenAPI: written as "" until known, as the kubelet does, never left out.
    [Id(3)] public string Image { get; init; } = "";
    [Id(4)] public string ImageID { get; init; } = "";
    [Id(5)] public string? ContainerID { get; init; }
    [Id(6)] public bool? Started { get; init; }
    [Id(7)] public ContainerState? State { get; init; }
    [Id(8)] public ContainerState? LastState { get; init; }
    [Id(9)] public ImmutableSortedDictionary<string, Quantity>? AllocatedResources { get; init; }
    [Id(10)] public ResourceRequirements? Resources { get; init; }
    [Id(11)] public ImmutableList<VolumeMountStatus>? VolumeMounts { get; init; }
    [Id(12)] public ContainerUser? User { get; init; }
    [Id(13)] public ImmutableList<ResourceStatus>? AllocatedResourcesStatus { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ContainerState")]
public sealed record ContainerState
{
    [Id(0)] public ContainerStateWaiting? Waiting { get; init; }
    [Id(1)] public ContainerStateRunning? Running { get; init; }
    [Id(2)] public ContainerStateTerminated? Terminated { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ContainerStateWaiting")]
public sealed record ContainerStateWaiting
{
    [Id(0)] public string? Reason { get; init; }
    [Id(1)] public string? Message { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ContainerStateRunning")]
public sealed record ContainerStateRunning
{
    [Id(0)] public DateTimeOffset? StartedAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ContainerStateTerminated")]
public sealed record ContainerStateTerminated
{
    [Id(0)] public int ExitCode { get; init; }
    [Id(1)] public int? Signal { get; init; }
    [Id(2)] public string? Reason { get; init; }
    [Id(3)] public string? Message { get; init; }
    [Id(4)] public DateTimeOffset? StartedAt { get; init; }
    [Id(5)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(6)] public string? ContainerID { get; init; }
}

/// <summary>A volume as mounted into the running container.</summary>
[GenerateSerializer, Immutable, Alias("granary.VolumeMountStatus")]
public sealed record VolumeMountStatus
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string MountPath { get; init; } = "";
    [Id(2)] public bool? ReadOnly { get; init; }
    [Id(3)] public string? RecursiveReadOnly { get; init; }
}

/// <summary>The identities the container's first process runs with.</summary>
[GenerateSerializer, Immutable, Alias("granary.ContainerUser")]
public sealed record ContainerUser
{
    [Id(0)] public LinuxContainerUser? Linux { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.LinuxContainerUser")]
public sealed record LinuxContainerUser
{
    [Id(0)] public long Uid { get; init; }
    [Id(1)] public long Gid { get; init; }
    [Id(2)] public ImmutableList<long>? SupplementalGroups { get; init; }
}

/// <summary>The health of the devices allocated to the container for one resource.</summary>
[GenerateSerializer, Immutable, Alias("granary.ResourceStatus")]
public sealed record ResourceStatus
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public ImmutableList<ResourceHealth>? Resources { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ResourceHealth")]
public sealed record ResourceHealth
{
    [Id(0)] public string ResourceID { get; init; } = "";
    [Id(1)] public string? Health { get; init; }
}
