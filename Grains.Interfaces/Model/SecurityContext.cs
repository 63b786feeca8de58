using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>A container's security settings; where a field is also on <see cref="PodSecurityContext"/>, this one wins.</summary>
[GenerateSerializer, Immutable, Alias("granary.SecurityContext")]
public sealed record SecurityContext
{
    [Id(0)] public Capabilities? Capabilities { get; init; }
    [Id(1)] public bool? Privileged { get; init; }
    [Id(2)] public SELinuxOptions? SeLinuxOptions { get; init; }
    [Id(3)] public WindowsSecurityContextOptions? WindowsOptions { get; init; }
    [Id(4)] public long? RunAsUser { get; init; }
    [Id(5)] public long? RunAsGroup { get; init; }
    [Id(6)] public bool? RunAsNonRoot { get; init; }
    [Id(7)] public bool? ReadOnlyRootFilesystem { get; init; }
    [Id(8)] public bool? AllowPrivilegeEscalation { get; init; }
    [Id(9)] public string? ProcMount { get; init; }
    [Id(10)] public SeccompProfile? SeccompProfile { get; init; }
    [Id(11)] public AppArmorProfile? AppArmorProfile { get; init; }
}

/// <summary>Security settings of every container of the pod, and of the pod's volumes (fsGroup).</summary>
[GenerateSerializer, Immutable, Alias("granary.PodSecurityContext")]
public sealed record PodSecurityContext
{
    [Id(0)] public SELinuxOptions? SeLinuxOptions { get; init; }
    [Id(1)] public WindowsSecurityContextOptions? WindowsOptions { get; init; }
    [Id(2)] public long? RunAsUser { get; init; }
    [Id(3)] public long? RunAsGroup { get; init; }
    [Id(4)] public bool? RunAsNonRoot { get; init; }
    [Id(5)] public ImmutableList<long>? SupplementalGroups { get; init; }
    [Id(6)] public string? SupplementalGroupsPolicy { get; init; }
    [Id(7)] public long? FsGroup { get; init; }
    [Id(8)] public ImmutableList<Sysctl>? Sysctls { get; init; }
    [Id(9)] public string? FsGroupChangePolicy { get; init; }
    [Id(10)] public SeccompProfile? SeccompProfile { get; init; }
    [Id(11)] public AppArmorProfile? AppArmorProfile { get; init; }
    [Id(12)] public string? SeLinuxChangePolicy { get; init; }
}

/// <summary>Linux capabilities added to and dropped from the engine's default set (names such as NET_ADMIN or ALL).</summary>
[GenerateSerializer, Immutable, Alias("granary.Capabilities")]
public sealed record Capabilities
{
    [Id(0)] public ImmutableList<string>? Add { get; init; }
    [Id(1)] public ImmutableList<string>? Drop { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.SELinuxOptions")]
public sealed record SELinuxOptions
{
    [Id(0)] public string? User { get; init; }
    [Id(1)] public string? Role { get; init; }
    [Id(2)] public string? Type { get; init; }
    [Id(3)] public string? Level { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.WindowsSecurityContextOptions")]
public sealed record WindowsSecurityContextOptions
{
    [Id(0)] public string? GmsaCredentialSpecName { get; init; }
    [Id(1)] public string? GmsaCredentialSpec { get; init; }
    [Id(2)] public string? RunAsUserName { get; init; }
    [Id(3)] public bool? HostProcess { get; init; }
}

/// <summary>RuntimeDefault, Unconfined or Localhost (with <see cref="LocalhostProfile"/>).</summary>
[GenerateSerializer, Immutable, Alias("granary.SeccompProfile")]
public sealed record SeccompProfile
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string? LocalhostProfile { get; init; }
}

/// <summary>RuntimeDefault, Unconfined or Localhost (with <see cref="LocalhostProfile"/>).</summary>
[GenerateSerializer, Immutable, Alias("granary.AppArmorProfile")]
public sealed record AppArmorProfile
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string? LocalhostProfile { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.Sysctl")]
public sealed record Sysctl
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string Value { get; init; } = "";
}
