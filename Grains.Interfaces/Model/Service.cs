using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// A stable name and address for a set of pods (core v1 Service). The cluster IP and node ports are allocated
/// cluster-wide when the service is created; its Endpoints object is kept by the service's own controller.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.Service")]
public sealed record Service : IResource<Service>
{
    public static ResourceKind ResourceKind => ResourceKinds.Service;

    /// <summary>The clusterIP value that makes a service headless: no address, endpoints only.</summary>
    public const string ClusterIPNone = "None";

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "Service";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ServiceSpec Spec { get; init; } = new();
    [Id(4)] public ServiceStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>The service types, as Kubernetes names them.</summary>
public static class ServiceTypes
{
    public const string ClusterIP = "ClusterIP";
    public const string NodePort = "NodePort";
    public const string LoadBalancer = "LoadBalancer";
    public const string ExternalName = "ExternalName";

    public static readonly ImmutableArray<string> All = [ClusterIP, ExternalName, LoadBalancer, NodePort];
}

[GenerateSerializer, Immutable, Alias("granary.ServiceSpec")]
public sealed record ServiceSpec
{
    [Id(0)] public string? Type { get; init; }
    [Id(1)] public ImmutableSortedDictionary<string, string>? Selector { get; init; }
    [Id(2)] public ImmutableList<ServicePort>? Ports { get; init; }
    [Id(3)] public string? ClusterIP { get; init; }
    [Id(4)] public ImmutableList<string>? ClusterIPs { get; init; }
    [Id(5)] public string? SessionAffinity { get; init; }
    [Id(6)] public SessionAffinityConfig? SessionAffinityConfig { get; init; }
    [Id(7)] public string? ExternalName { get; init; }
    [Id(8)] public ImmutableList<string>? ExternalIPs { get; init; }
    [Id(9)] public string? InternalTrafficPolicy { get; init; }
    [Id(10)] public string? ExternalTrafficPolicy { get; init; }
    [Id(11)] public ImmutableList<string>? IpFamilies { get; init; }
    [Id(12)] public string? IpFamilyPolicy { get; init; }
    [Id(13)] public bool? PublishNotReadyAddresses { get; init; }
    [Id(14)] public bool? AllocateLoadBalancerNodePorts { get; init; }
    [Id(15)] public string? LoadBalancerIP { get; init; }
    [Id(16)] public string? LoadBalancerClass { get; init; }
    [Id(17)] public int? HealthCheckNodePort { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ServicePort")]
public sealed record ServicePort
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Protocol { get; init; }
    [Id(2)] public int Port { get; init; }
    /// <summary>A number, or the name of a container port; defaults to <see cref="Port"/>.</summary>
    [Id(3)] public IntOrString? TargetPort { get; init; }
    /// <summary>The port on every node (NodePort and LoadBalancer services); 0 or absent: allocated.</summary>
    [Id(4)] public int? NodePort { get; init; }
    [Id(5)] public string? AppProtocol { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.SessionAffinityConfig")]
public sealed record SessionAffinityConfig
{
    [Id(0)] public ClientIPConfig? ClientIP { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ClientIPConfig")]
public sealed record ClientIPConfig
{
    [Id(0)] public int? TimeoutSeconds { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ServiceStatus")]
public sealed record ServiceStatus
{
    [Id(0)] public LoadBalancerStatus? LoadBalancer { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.LoadBalancerStatus")]
public sealed record LoadBalancerStatus
{
    [Id(0)] public ImmutableList<LoadBalancerIngress>? Ingress { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.LoadBalancerIngress")]
public sealed record LoadBalancerIngress
{
    [Id(0)] public string? Ip { get; init; }
    [Id(1)] public string? Hostname { get; init; }
    [Id(2)] public string? IpMode { get; init; }
}
