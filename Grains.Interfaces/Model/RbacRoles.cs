using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>A set of rules inside one namespace (rbac.authorization.k8s.io/v1 Role), granted by RoleBindings.</summary>
[GenerateSerializer, Immutable, Alias("granary.Role")]
public sealed record Role : IResource<Role>
{
    public static ResourceKind ResourceKind => ResourceKinds.Role;

    [Id(0)] public string ApiVersion { get; init; } = "rbac.authorization.k8s.io/v1";
    [Id(1)] public string Kind { get; init; } = "Role";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ImmutableList<PolicyRule>? Rules { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>
/// A set of rules for the whole cluster (rbac.authorization.k8s.io/v1 ClusterRole), granted cluster-wide by
/// ClusterRoleBindings or inside a namespace by RoleBindings. With an <see cref="AggregationRule"/> its rules are
/// filled by the aggregation controller from the ClusterRoles the selectors match.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.ClusterRole")]
public sealed record ClusterRole : IResource<ClusterRole>
{
    public static ResourceKind ResourceKind => ResourceKinds.ClusterRole;

    [Id(0)] public string ApiVersion { get; init; } = "rbac.authorization.k8s.io/v1";
    [Id(1)] public string Kind { get; init; } = "ClusterRole";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ImmutableList<PolicyRule>? Rules { get; init; }
    [Id(4)] public AggregationRule? AggregationRule { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>Grants a Role or ClusterRole to subjects inside one namespace (rbac.authorization.k8s.io/v1 RoleBinding).</summary>
[GenerateSerializer, Immutable, Alias("granary.RoleBinding")]
public sealed record RoleBinding : IResource<RoleBinding>
{
    public static ResourceKind ResourceKind => ResourceKinds.RoleBinding;

    [Id(0)] public string ApiVersion { get; init; } = "rbac.authorization.k8s.io/v1";
    [Id(1)] public string Kind { get; init; } = "RoleBinding";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ImmutableList<Subject>? Subjects { get; init; }
    [Id(4)] public RoleRef RoleRef { get; init; } = new();

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>Grants a ClusterRole to subjects across the cluster (rbac.authorization.k8s.io/v1 ClusterRoleBinding).</summary>
[GenerateSerializer, Immutable, Alias("granary.ClusterRoleBinding")]
public sealed record ClusterRoleBinding : IResource<ClusterRoleBinding>
{
    public static ResourceKind ResourceKind => ResourceKinds.ClusterRoleBinding;

    [Id(0)] public string ApiVersion { get; init; } = "rbac.authorization.k8s.io/v1";
    [Id(1)] public string Kind { get; init; } = "ClusterRoleBinding";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ImmutableList<Subject>? Subjects { get; init; }
    [Id(4)] public RoleRef RoleRef { get; init; } = new();

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}
