using System.Collections.Immutable;

namespace Granary.Model;

// The small parts of PodSpec that have no area of their own: scheduling hints, DNS, host aliases, gates.

[GenerateSerializer, Immutable, Alias("granary.Toleration")]
public sealed record Toleration
{
    [Id(0)] public string? Key { get; init; }
    [Id(1)] public string? Operator { get; init; }
    [Id(2)] public string? Value { get; init; }
    [Id(3)] public string? Effect { get; init; }
    [Id(4)] public long? TolerationSeconds { get; init; }
}

/// <summary>A reference to an object by name in the same namespace (core v1 LocalObjectReference: imagePullSecrets, a ServiceAccount's secrets).</summary>
[GenerateSerializer, Immutable, Alias("granary.LocalObjectReference")]
public sealed record LocalObjectReference
{
    [Id(0)] public string? Name { get; init; }
}

/// <summary>An extra line of the pod's /etc/hosts.</summary>
[GenerateSerializer, Immutable, Alias("granary.HostAlias")]
public sealed record HostAlias
{
    [Id(0)] public string Ip { get; init; } = "";
    [Id(1)] public ImmutableList<string>? Hostnames { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PodDNSConfig")]
public sealed record PodDNSConfig
{
    [Id(0)] public ImmutableList<string>? Nameservers { get; init; }
    [Id(1)] public ImmutableList<string>? Searches { get; init; }
    [Id(2)] public ImmutableList<PodDNSConfigOption>? Options { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PodDNSConfigOption")]
public sealed record PodDNSConfigOption
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Value { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PodReadinessGate")]
public sealed record PodReadinessGate
{
    [Id(0)] public string ConditionType { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("granary.PodSchedulingGate")]
public sealed record PodSchedulingGate
{
    [Id(0)] public string Name { get; init; } = "";
}

/// <summary>The operating system the pod's containers need: linux or windows.</summary>
[GenerateSerializer, Immutable, Alias("granary.PodOS")]
public sealed record PodOS
{
    [Id(0)] public string Name { get; init; } = "";
}

/// <summary>A dynamic resource allocation claim of the pod, by name or by template.</summary>
[GenerateSerializer, Immutable, Alias("granary.PodResourceClaim")]
public sealed record PodResourceClaim
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? ResourceClaimName { get; init; }
    [Id(2)] public string? ResourceClaimTemplateName { get; init; }
}
