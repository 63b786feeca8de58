using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// What a role allows (rbac.authorization.k8s.io/v1 PolicyRule): <see cref="Verbs"/> on <see cref="Resources"/> of
/// <see cref="ApiGroups"/> (optionally only the objects named in <see cref="ResourceNames"/>), or verbs on
/// <see cref="NonResourceUrls"/> (paths such as "/healthz" or "/api/*"). "*" matches anything in each list.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.PolicyRule")]
public sealed record PolicyRule
{
    [Id(0)] public ImmutableList<string> Verbs { get; init; } = [];
    [Id(1)] public ImmutableList<string>? ApiGroups { get; init; }
    [Id(2)] public ImmutableList<string>? Resources { get; init; }
    [Id(3)] public ImmutableList<string>? ResourceNames { get; init; }
    [System.Text.Json.Serialization.JsonPropertyName("nonResourceURLs")]
    [Id(4)] public ImmutableList<string>? NonResourceUrls { get; init; }
}

/// <summary>A ClusterRole whose rules are the union of the ClusterRoles its selectors match, kept up to date by the controller.</summary>
[GenerateSerializer, Immutable, Alias("granary.AggregationRule")]
public sealed record AggregationRule
{
    [Id(0)] public ImmutableList<LabelSelectorSpec>? ClusterRoleSelectors { get; init; }
}

/// <summary>Who a binding grants its role to: a User, a Group or a ServiceAccount (which has a namespace).</summary>
[GenerateSerializer, Immutable, Alias("granary.RbacSubject")]
public sealed record Subject
{
    public const string UserKind = "User";
    public const string GroupKind = "Group";
    public const string ServiceAccountKind = "ServiceAccount";
    public const string RbacGroup = "rbac.authorization.k8s.io";

    [Id(0)] public string Kind { get; init; } = "";
    [Id(1)] public string? ApiGroup { get; init; }
    [Id(2)] public string Name { get; init; } = "";
    [Id(3)] public string? Namespace { get; init; }
}

/// <summary>The role a binding grants: a Role of the binding's namespace or a ClusterRole. Immutable once created.</summary>
[GenerateSerializer, Immutable, Alias("granary.RoleRef")]
public sealed record RoleRef
{
    [Id(0)] public string ApiGroup { get; init; } = "";
    [Id(1)] public string Kind { get; init; } = "";
    [Id(2)] public string Name { get; init; } = "";
}
