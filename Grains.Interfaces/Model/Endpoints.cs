using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// The addresses behind a service (core v1 Endpoints), named like it. The service's controller keeps it for services
/// with a selector; for services without one, users write it.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.Endpoints")]
public sealed record Endpoints : IResource<Endpoints>
{
    public static ResourceKind ResourceKind => ResourceKinds.Endpoints;

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "Endpoints";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ImmutableList<EndpointSubset>? Subsets { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>Addresses that all serve the same ports.</summary>
[GenerateSerializer, Immutable, Alias("granary.EndpointSubset")]
public sealed record EndpointSubset
{
    [Id(0)] public ImmutableList<EndpointAddress>? Addresses { get; init; }
    [Id(1)] public ImmutableList<EndpointAddress>? NotReadyAddresses { get; init; }
    [Id(2)] public ImmutableList<EndpointPort>? Ports { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.EndpointAddress")]
public sealed record EndpointAddress
{
    [Id(0)] public string Ip { get; init; } = "";
    [Id(1)] public string? Hostname { get; init; }
    [Id(2)] public string? NodeName { get; init; }
    [Id(3)] public ObjectReference? TargetRef { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.EndpointPort")]
public sealed record EndpointPort
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public int Port { get; init; }
    [Id(2)] public string? Protocol { get; init; }
    [Id(3)] public string? AppProtocol { get; init; }
}
