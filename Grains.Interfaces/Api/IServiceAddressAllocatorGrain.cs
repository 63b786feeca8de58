using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// The cluster's one book of service addresses (key <see cref="Key"/>): cluster IPs from the service CIDR and node
/// ports from the node port range, each held by one service (its key and uid). Kept in grain storage, so allocations
/// survive re-activation and failover. Service grains claim before they store a service and settle after.
/// </summary>
[Alias("granary.IServiceAddressAllocatorGrain")]
public interface IServiceAddressAllocatorGrain : IGrainWithStringKey
{
    public const string Key = "default";

    /// <summary>
    /// Claims what <paramref name="request"/> asks for, in addition to what the service already holds: a requested
    /// IP or port must be free or the service's own (else Invalid, "provided IP is already allocated"); "any" draws a
    /// free one. Holdings of an earlier service of the same key (another uid) are released first: it is gone.
    /// </summary>
    [Alias("Allocate")]
    Task<ServiceAddresses> AllocateAsync(ServiceAddressRequest request);

    /// <summary>
    /// Releases everything the service holds except <paramref name="keep"/> (after an update, a failed write, or
    /// with nothing kept, a delete). Idempotent; does nothing when the holdings belong to another uid.
    /// </summary>
    [Alias("Retain")]
    Task RetainAsync(string owner, string uid, ServiceAddresses keep);

    /// <summary>What <paramref name="owner"/> holds, or null. Read-only.</summary>
    [Alias("Holdings"), ReadOnly]
    Task<ServiceAddresses?> GetHoldingsAsync(string owner);
}

/// <summary>What a service needs allocated.</summary>
[GenerateSerializer, Immutable, Alias("granary.ServiceAddressRequest")]
public sealed record ServiceAddressRequest
{
    /// <summary>The service's key, "namespace/name".</summary>
    [Id(0)] public required string Owner { get; init; }
    [Id(1)] public required string Uid { get; init; }
    /// <summary>Null: no cluster IP (headless, ExternalName); "": any free one; else exactly this one.</summary>
    [Id(2)] public string? ClusterIP { get; init; }
    /// <summary>One entry per service port: null when the port needs no node port, 0 for any free one, else that one.</summary>
    [Id(3)] public ImmutableArray<int?> NodePorts { get; init; } = [];
}

/// <summary>Allocated addresses: the cluster IP (or null) and one node port per service port (null where none).</summary>
[GenerateSerializer, Immutable, Alias("granary.ServiceAddresses")]
public sealed record ServiceAddresses(
    [property: Id(0)] string? ClusterIP,
    [property: Id(1)] ImmutableArray<int?> NodePorts)
{
    public static readonly ServiceAddresses None = new(null, []);
}
