using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Granary.Model;

[GenerateSerializer, Immutable, Alias("granary.Node")]
public sealed record Node : IResource<Node>
{
    public static ResourceKind ResourceKind => ResourceKinds.Node;

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "Node";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public NodeSpec Spec { get; init; } = new();
    [Id(4)] public NodeStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.NodeSpec")]
public sealed record NodeSpec
{
    [Id(0)] public bool? Unschedulable { get; init; }
    [Id(1)] public ImmutableList<Taint>? Taints { get; init; }
    [Id(2)] public string? PodCIDR { get; init; }
    [Id(3)] public string? ProviderID { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.Taint")]
public sealed record Taint
{
    [Id(0)] public string Key { get; init; } = "";
    [Id(1)] public string? Value { get; init; }
    [Id(2)] public string Effect { get; init; } = "";
    [Id(3)] public DateTimeOffset? TimeAdded { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.NodeStatus")]
public sealed record NodeStatus
{
    [Id(0)] public ImmutableSortedDictionary<string, Quantity>? Capacity { get; init; }
    [Id(1)] public ImmutableSortedDictionary<string, Quantity>? Allocatable { get; init; }
    [Id(2)] public ImmutableList<NodeCondition>? Conditions { get; init; }
    [Id(3)] public ImmutableList<NodeAddress>? Addresses { get; init; }
    [Id(4)] public NodeSystemInfo? NodeInfo { get; init; }
    /// <summary>Where the node's agent serves logs, exec, attach, port-forward and the pod proxy (the kubelet's port).</summary>
    [Id(5)] public NodeDaemonEndpoints? DaemonEndpoints { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.NodeDaemonEndpoints")]
public sealed record NodeDaemonEndpoints
{
    [Id(0)] public DaemonEndpoint? KubeletEndpoint { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.DaemonEndpoint")]
public sealed record DaemonEndpoint
{
    // kube's JSON name is "Port", capital P (its Go tag is json:"Port").
    [Id(0), JsonPropertyName("Port")] public int Port { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.NodeCondition")]
public sealed record NodeCondition
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Status { get; init; } = "";
    [Id(2)] public string? Reason { get; init; }
    [Id(3)] public string? Message { get; init; }
    [Id(4)] public DateTimeOffset? LastHeartbeatTime { get; init; }
    [Id(5)] public DateTimeOffset? LastTransitionTime { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.NodeAddress")]
public sealed record NodeAddress
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Address { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("granary.NodeSystemInfo")]
public sealed record NodeSystemInfo
{
    [Id(0)] public string? KubeletVersion { get; init; }
    [Id(1)] public string? ContainerRuntimeVersion { get; init; }
    [Id(2)] public string? OsImage { get; init; }
    [Id(3)] public string? KernelVersion { get; init; }
    [Id(4)] public string? OperatingSystem { get; init; }
    [Id(5)] public string? Architecture { get; init; }
    [Id(6)] public string? MachineID { get; init; }
}
