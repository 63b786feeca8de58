using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME CREATED AT, as kube-apiserver's printRole and printClusterRole (the time in RFC 3339, UTC).</summary>
internal sealed class RoleTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Created At", "CreationTimestamp is a timestamp representing the server time when this object was created.", Format: ""),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now) =>
    [
        resource.Metadata.Name ?? "",
        resource.Metadata.CreationTimestamp?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "",
    ];
}

/// <summary>NAME ROLE AGE (-o wide: USERS GROUPS SERVICEACCOUNTS), as kube-apiserver's printRoleBinding and printClusterRoleBinding.</summary>
internal sealed class RoleBindingTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Role", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable."),
        AgeColumn,
        new("Users", "Users in the roleBinding", Priority: 1),
        new("Groups", "Groups in the roleBinding", Priority: 1),
        new("ServiceAccounts", "ServiceAccounts in the roleBinding", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var (roleRef, subjects) = resource switch
        {
            RoleBinding b => (b.RoleRef, b.Subjects),
            ClusterRoleBinding b => (b.RoleRef, b.Subjects),
            _ => throw new ArgumentException($"not a binding: {resource.Kind}", nameof(resource)),
        };
        subjects ??= [];
        string Of(string kind, Func<Subject, string> text) => string.Join(", ", subjects.Where(s => s.Kind == kind).Select(text));
        return
        [
            resource.Metadata.Name ?? "",
            $"{roleRef.Kind}/{roleRef.Name}",
            Age(resource, now),
            Of(Subject.UserKind, s => s.Name),
            Of(Subject.GroupKind, s => s.Name),
            Of(Subject.ServiceAccountKind, s => string.IsNullOrEmpty(s.Namespace) ? s.Name : $"{s.Namespace}:{s.Name}"),
        ];
    }
}
