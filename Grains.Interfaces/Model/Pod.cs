using System.Collections.Immutable;
using System.Text.Json.Serialization;

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
}

[GenerateSerializer, Immutable, Alias("granary.Container")]
public sealed record Container
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
}

[GenerateSerializer, Immutable, Alias("granary.EnvVar")]
public sealed record EnvVar
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? Value { get; init; }
    [Id(2)] public EnvVarSource? ValueFrom { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.EnvVarSource")]
public sealed record EnvVarSource
{
    [Id(0)] public ObjectFieldSelector? FieldRef { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ObjectFieldSelector")]
public sealed record ObjectFieldSelector
{
    [Id(0)] public string FieldPath { get; init; } = "";
    [Id(1)] public string? ApiVersion { get; init; }
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
}

/// <summary>A probe; exactly one of exec, tcpSocket or httpGet is set.</summary>
[GenerateSerializer, Immutable, Alias("granary.Probe")]
public sealed record Probe
{
    [Id(0)] public ExecAction? Exec { get; init; }
    [Id(1)] public TcpSocketAction? TcpSocket { get; init; }
    [Id(2)] public HttpGetAction? HttpGet { get; init; }
    [Id(3)] public int? InitialDelaySeconds { get; init; }
    [Id(4)] public int? PeriodSeconds { get; init; }
    [Id(5)] public int? TimeoutSeconds { get; init; }
    [Id(6)] public int? SuccessThreshold { get; init; }
    [Id(7)] public int? FailureThreshold { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ExecAction")]
public sealed record ExecAction
{
    [Id(0)] public ImmutableList<string>? Command { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.TcpSocketAction")]
public sealed record TcpSocketAction
{
    [Id(0)] public IntOrString Port { get; init; }
    [Id(1)] public string? Host { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.HttpGetAction")]
public sealed record HttpGetAction
{
    [Id(0)] public string? Path { get; init; }
    [Id(1)] public IntOrString Port { get; init; }
    [Id(2)] public string? Host { get; init; }
    [Id(3)] public string? Scheme { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.Toleration")]
public sealed record Toleration
{
    [Id(0)] public string? Key { get; init; }
    [Id(1)] public string? Operator { get; init; }
    [Id(2)] public string? Value { get; init; }
    [Id(3)] public string? Effect { get; init; }
    [Id(4)] public long? TolerationSeconds { get; init; }
}

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

[GenerateSerializer, Immutable, Alias("granary.ContainerStatus")]
public sealed record ContainerStatus
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public bool Ready { get; init; }
    [Id(2)] public int RestartCount { get; init; }
    [Id(3)] public string? Image { get; init; }
    [Id(4)] public string? ImageID { get; init; }
    [Id(5)] public string? ContainerID { get; init; }
    [Id(6)] public bool? Started { get; init; }
    [Id(7)] public ContainerState? State { get; init; }
    [Id(8)] public ContainerState? LastState { get; init; }
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
