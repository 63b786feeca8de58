using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Granary.Model;

/// <summary>
/// A container of core/v1 (Kubernetes 1.32), for <c>containers</c> and <c>initContainers</c>. Not sealed only so that
/// <see cref="EphemeralContainer"/> carries the same fields, as kube's EphemeralContainerCommon does.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.Container")]
public record Container
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? Image { get; init; }
    [Id(2)] public ImmutableList<string>? Command { get; init; }
    [Id(3)] public ImmutableList<string>? Args { get; init; }
    [Id(4)] public ImmutableList<EnvVar>? Env { get; init; }
    [Id(5)] public ImmutableList<ContainerPort>? Ports { get; init; }
    [Id(6)] public ResourceRequirements? Resources { get; init; }
    [Id(7)] public Probe? LivenessProbe { get; init; }
    [Id(8)] public Probe? ReadinessProbe { get; init; }
    [Id(9)] public Probe? StartupProbe { get; init; }
    [Id(10)] public string? WorkingDir { get; init; }
    [Id(11)] public string? ImagePullPolicy { get; init; }
    [Id(12)] public ImmutableList<EnvFromSource>? EnvFrom { get; init; }
    [Id(13)] public ImmutableList<ContainerResizePolicy>? ResizePolicy { get; init; }

    /// <summary>Only <c>Always</c>, only on an init container: it makes the init container a sidecar.</summary>
    [Id(14)] public string? RestartPolicy { get; init; }

    [Id(15)] public ImmutableList<VolumeMount>? VolumeMounts { get; init; }
    [Id(16)] public ImmutableList<VolumeDevice>? VolumeDevices { get; init; }
    [Id(17)] public Lifecycle? Lifecycle { get; init; }
    [Id(18)] public string? TerminationMessagePath { get; init; }
    [Id(19)] public string? TerminationMessagePolicy { get; init; }
    [Id(20)] public SecurityContext? SecurityContext { get; init; }
    [Id(21)] public bool? Stdin { get; init; }
    [Id(22)] public bool? StdinOnce { get; init; }
    [Id(23)] public bool? Tty { get; init; }
}

/// <summary>A debugging container added to a running pod (kubectl debug); it targets one of the pod's containers.</summary>
[GenerateSerializer, Immutable, Alias("granary.EphemeralContainer")]
public sealed record EphemeralContainer : Container
{
    [Id(0)] public string? TargetContainerName { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ContainerPort")]
public sealed record ContainerPort
{
    [Id(0)] public string? Name { get; init; }
    // Named apart from the record: C# forbids a member named like its type.
    [Id(1), JsonPropertyName("containerPort")] public int Number { get; init; }
    [Id(2)] public int? HostPort { get; init; }
    [Id(3)] public string? Protocol { get; init; }
    [Id(4)] public string? HostIP { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ResourceRequirements")]
public sealed record ResourceRequirements
{
    [Id(0)] public ImmutableSortedDictionary<string, Quantity>? Requests { get; init; }
    [Id(1)] public ImmutableSortedDictionary<string, Quantity>? Limits { get; init; }
    [Id(2)] public ImmutableList<ResourceClaim>? Claims { get; init; }
}

/// <summary>One of the pod's <c>resourceClaims</c> this container uses (and which request of it).</summary>
[GenerateSerializer, Immutable, Alias("granary.ResourceClaim")]
public sealed record ResourceClaim
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? Request { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ContainerResizePolicy")]
public sealed record ContainerResizePolicy
{
    [Id(0)] public string ResourceName { get; init; } = "";
    [Id(1)] public string RestartPolicy { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("granary.VolumeMount")]
public sealed record VolumeMount
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public bool? ReadOnly { get; init; }
    [Id(2)] public string? RecursiveReadOnly { get; init; }
    [Id(3)] public string MountPath { get; init; } = "";
    [Id(4)] public string? SubPath { get; init; }
    [Id(5)] public string? MountPropagation { get; init; }
    [Id(6)] public string? SubPathExpr { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.VolumeDevice")]
public sealed record VolumeDevice
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string DevicePath { get; init; } = "";
}
