using Granary.Errors;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Grains.Security.Rbac;

/// <summary>
/// kube's RBAC escalation prevention, for the HTTP API and the grain surface alike: a user may write a Role or
/// ClusterRole only with every permission it grants already held (in its namespace, or cluster-wide) or with the
/// <c>escalate</c> verb on it; a RoleBinding or ClusterRoleBinding only with every permission of the referenced role
/// held where the binding applies, or with the <c>bind</c> verb on that role (resourceNames honoured). Setting or
/// changing a ClusterRole's aggregationRule needs full authority, since it can gather anything. Members of
/// system:masters are exempt. A refusal is kube's Forbidden, worded as kube-apiserver words it; a binding to a role
/// that does not exist is its NotFound. Writes made by the silos themselves (bootstrap policy, aggregation) never
/// come here.
/// </summary>
public sealed class RbacEscalation(RbacAuthorizer rbac, IAuthorizer authorizer)
{
    private const string Group = "rbac.authorization.k8s.io";

    /// <summary>kube's fullAuthority: every verb on everything, and every URL.</summary>
    private static readonly PolicyRule[] FullAuthority =
    [
        new() { Verbs = [RuleMatching.All], ApiGroups = [RuleMatching.All], Resources = [RuleMatching.All] },
        new() { Verbs = [RuleMatching.All], NonResourceUrls = [RuleMatching.All] },
    ];

    /// <summary>Whether writes of this object are checked here: Roles, ClusterRoles and their bindings.</summary>
    public static bool Guards(IResource? written) => written is Role or ClusterRole or RoleBinding or ClusterRoleBinding;

    /// <summary>
    /// Throws <see cref="ForbiddenException"/> when <paramref name="user"/> may not create <paramref name="written"/>, or
    /// <see cref="NotFoundException"/> when a binding refers to a role that does not exist.
    /// </summary>
    public Task CheckCreateAsync(UserInfo user, IResource written, CancellationToken cancellationToken = default) =>
        CheckAsync(user, written, current: null, cancellationToken);

    /// <summary>
    /// As <see cref="CheckCreateAsync"/>, for an update. <paramref name="current"/> reads the object as stored, and is
    /// asked only when needed: an update that changes nothing but ownerReferences and finalizers passes (the garbage
    /// collector's work), as in kube, and removing a ClusterRole's aggregationRule needs full authority too.
    /// </summary>
    public Task CheckUpdateAsync(UserInfo user, IResource written, Func<Task<IResource?>> current, CancellationToken cancellationToken = default) =>
        CheckAsync(user, written, current, cancellationToken);

    private async Task CheckAsync(UserInfo user, IResource written, Func<Task<IResource?>>? current, CancellationToken cancellationToken)
    {
        if (!Guards(written) || user.InGroup(WellKnownGroups.Masters))
            return;
        var creating = current is null;
        IResource? old = null;
        var oldRead = false;
        async Task<IResource?> OldAsync()
        {
            if (!oldRead && current is not null)
                old = await current();
            oldRead = true;
            return old;
        }
        var problem = written switch
        {
            Role role => await RoleProblemAsync(user, ResourceKinds.Role, role.Metadata, role.Rules ?? [], aggregates: false, creating, cancellationToken),
            ClusterRole clusterRole => await RoleProblemAsync(user, ResourceKinds.ClusterRole, clusterRole.Metadata, clusterRole.Rules ?? [],
                Aggregates(clusterRole) || !creating && await OldAsync() is ClusterRole before && Aggregates(before), creating, cancellationToken),
            RoleBinding binding => await BindingProblemAsync(user, ResourceKinds.RoleBinding, binding.Metadata, binding.RoleRef, binding.Metadata.Namespace ?? "", cancellationToken),
            ClusterRoleBinding binding => await BindingProblemAsync(user, ResourceKinds.ClusterRoleBinding, binding.Metadata, binding.RoleRef, "", cancellationToken),
            _ => null,
        };
        if (problem is null)
            return;
        if (!creating && await OldAsync() is { } stored && OnlyGarbageCollectionFieldsDiffer(stored, written))
            return;
        throw problem;
    }

    private async Task<GranaryException?> RoleProblemAsync(UserInfo user, ResourceKind kind, ObjectMeta metadata, IReadOnlyList<PolicyRule> rules,
        bool aggregates, bool creating, CancellationToken cancellationToken)
    {
        var @namespace = kind.Namespaced ? metadata.Namespace ?? "" : "";
        // kube asks with the request's name, which a create (POST to the collection) does not have.
        if (await AllowedAsync(user, "escalate", kind.Plural, @namespace, creating ? "" : metadata.Name ?? "", cancellationToken))
            return null;
        var held = (await rbac.PolicyAsync(cancellationToken)).RulesFor(user, @namespace).Select(g => g.Rule).ToList();
        if (RuleCoverage.Uncovered(held, rules) is { Count: > 0 } missing)
            return new ForbiddenException(Forbidden(kind, metadata, NotCurrentlyHeld(user, missing)));
        if (aggregates && RuleCoverage.Uncovered(held, FullAuthority).Count > 0)
            return new ForbiddenException(Forbidden(kind, metadata, "must have cluster-admin privileges to use the aggregationRule"));
        return null;
    }

    private async Task<GranaryException?> BindingProblemAsync(UserInfo user, ResourceKind kind, ObjectMeta metadata, RoleRef roleRef, string @namespace,
        CancellationToken cancellationToken)
    {
        // A reference validation refuses (another group or kind, a ClusterRoleBinding of a Role) is left to it.
        var roleKind = roleRef.Kind switch
        {
            "ClusterRole" => ResourceKinds.ClusterRole,
            "Role" when @namespace.Length > 0 => ResourceKinds.Role,
            _ => null,
        };
        if (roleKind is null || roleRef.ApiGroup != Group)
            return null;
        // Checked where the binding applies, so a user may be allowed to bind a ClusterRole in one namespace only.
        if (await AllowedAsync(user, "bind", roleKind.Plural, @namespace, roleRef.Name, cancellationToken))
            return null;
        var policy = await rbac.PolicyAsync(cancellationToken);
        if (policy.RulesOf(roleRef, @namespace) is not { } rules)
            return new NotFoundException($"{roleKind.Plural}.{Group}", roleRef.Name);
        var held = policy.RulesFor(user, @namespace).Select(g => g.Rule).ToList();
        return RuleCoverage.Uncovered(held, rules) is { Count: > 0 } missing
            ? new ForbiddenException(Forbidden(kind, metadata, NotCurrentlyHeld(user, missing)))
            : null;
    }

    private async Task<bool> AllowedAsync(UserInfo user, string verb, string resource, string @namespace, string name, CancellationToken cancellationToken) =>
        (await authorizer.AuthorizeAsync(new AuthorizationAttributes
        {
            User = user,
            Verb = verb,
            ApiGroup = Group,
            Resource = resource,
            Namespace = @namespace,
            Name = name,
        }, cancellationToken)).Allowed;

    /// <summary>kube's ConfirmNoEscalation message: the missing rules compacted, described and sorted, one a line.</summary>
    public static string NotCurrentlyHeld(UserInfo user, IEnumerable<PolicyRule> missing)
    {
        var lines = RuleCoverage.Compact(missing).Select(RuleCoverage.Describe).Distinct().Order(StringComparer.Ordinal);
        var groups = string.Join(' ', user.Groups.Select(RuleCoverage.GoQuote));
        return $"user {RuleCoverage.GoQuote(user.Name)} (groups=[{groups}]) is attempting to grant RBAC permissions not currently held:\n{string.Join('\n', lines)}";
    }

    /// <summary>kube's NewForbidden: <c>roles.rbac.authorization.k8s.io "name" is forbidden: …</c>.</summary>
    private static string Forbidden(ResourceKind kind, ObjectMeta metadata, string reason) =>
        $"{kind.Plural}.{Group} {RuleCoverage.GoQuote(metadata.Name ?? "")} is forbidden: {reason}";

    private static bool Aggregates(ClusterRole role) => role.AggregationRule?.ClusterRoleSelectors is { Count: > 0 };

    /// <summary>kube's IsOnlyMutatingGCFields: equal once ownerReferences, finalizers and managedFields are taken from the stored object.</summary>
    public static bool OnlyGarbageCollectionFieldsDiffer(IResource stored, IResource written)
    {
        var stomped = written.WithMetadata(written.Metadata with
        {
            OwnerReferences = stored.Metadata.OwnerReferences,
            Finalizers = stored.Metadata.Finalizers,
            ManagedFields = stored.Metadata.ManagedFields,
        });
        return GranaryJson.SerializeResource(stomped) == GranaryJson.SerializeResource(stored);
    }
}
