using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// A slice of a service's endpoints (discovery.k8s.io/v1 EndpointSlice), labelled with the service's name. Kept by the
/// service's controller next to its Endpoints: kubectl describe service reads the slices.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.EndpointSlice")]
public sealed record EndpointSlice : IResource<EndpointSlice>
{
    public static ResourceKind ResourceKind => ResourceKinds.EndpointSlice;

    /// <summary>The label naming the service a slice belongs to.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The label naming who keeps the slice.</summary>
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";

    [Id(0)] public string ApiVersion { get; init; } = "discovery.k8s.io/v1";
    [Id(1)] public string Kind { get; init; } = "EndpointSlice";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public string AddressType { get; init; } = "IPv4";
    // Required in kube's OpenAPI, so written even when empty ("endpoints": []): clients built from it refuse a slice without.
    [Id(4)] public ImmutableList<SliceEndpoint> Endpoints { get; init; } = [];
    [Id(5)] public ImmutableList<SlicePort>? Ports { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>One endpoint of a slice (discovery.k8s.io/v1 Endpoint).</summary>
[GenerateSerializer, Immutable, Alias("granary.SliceEndpoint")]
public sealed record SliceEndpoint
{
    [Id(0)] public ImmutableList<string> Addresses { get; init; } = [];
    [Id(1)] public EndpointConditions? Conditions { get; init; }
    [Id(2)] public string? Hostname { get; init; }
    [Id(3)] public ObjectReference? TargetRef { get; init; }
    [Id(4)] public string? NodeName { get; init; }
    [Id(5)] public string? Zone { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.EndpointConditions")]
public sealed record EndpointConditions
{
    [Id(0)] public bool? Ready { get; init; }
    [Id(1)] public bool? Serving { get; init; }
    [Id(2)] public bool? Terminating { get; init; }
}

/// <summary>A port of a slice; kube writes an unnamed port's name as "".</summary>
[GenerateSerializer, Immutable, Alias("granary.SlicePort")]
public sealed record SlicePort
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public int? Port { get; init; }
    [Id(2)] public string? Protocol { get; init; }
    [Id(3)] public string? AppProtocol { get; init; }
}
