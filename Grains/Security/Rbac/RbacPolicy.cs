using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Security.Rbac;

/// <summary>A rule a user holds and where it comes from, e.g. RoleBinding "dev/jane" of Role "pod-reader" to User "jane".</summary>
public sealed record GrantedRule(PolicyRule Rule, string Source);

/// <summary>
/// One consistent picture of the RBAC objects, indexed for evaluation: ClusterRoleBindings apply everywhere,
/// RoleBindings only to requests inside their namespace. Immutable: the authorizer swaps in a new one when the
/// objects change, and evaluation never waits on the store. A binding to a missing role grants nothing, as in kube.
/// </summary>
public sealed class RbacPolicy
{
    private readonly ImmutableDictionary<string, Role> _roles;
    private readonly ImmutableDictionary<string, ClusterRole> _clusterRoles;
    private readonly ImmutableDictionary<string, ImmutableArray<RoleBinding>> _roleBindingsByNamespace;
    private readonly ImmutableArray<ClusterRoleBinding> _clusterRoleBindings;

    public RbacPolicy(IEnumerable<Role> roles, IEnumerable<ClusterRole> clusterRoles, IEnumerable<RoleBinding> roleBindings, IEnumerable<ClusterRoleBinding> clusterRoleBindings)
    {
        _roles = roles.ToImmutableDictionary(r => $"{r.Metadata.Namespace}/{r.Metadata.Name}", StringComparer.Ordinal);
        _clusterRoles = clusterRoles.ToImmutableDictionary(r => r.Metadata.Name!, StringComparer.Ordinal);
        _roleBindingsByNamespace = roleBindings.GroupBy(b => b.Metadata.Namespace ?? "")
            .ToImmutableDictionary(g => g.Key, g => g.OrderBy(b => b.Metadata.Name, StringComparer.Ordinal).ToImmutableArray(), StringComparer.Ordinal);
        _clusterRoleBindings = [.. clusterRoleBindings.OrderBy(b => b.Metadata.Name, StringComparer.Ordinal)];
    }

    public static readonly RbacPolicy Empty = new([], [], [], []);

    /// <summary>Allow with the grant that allows it (kube's wording), or NoOpinion: RBAC never denies, it only fails to allow.</summary>
    public AuthorizationResult Authorize(AuthorizationAttributes request)
    {
        foreach (var granted in RulesFor(request.User, request.Namespace))
            if (RuleMatching.Allows(granted.Rule, request))
                return new AuthorizationResult(AuthorizationDecision.Allow, $"RBAC: allowed by {granted.Source}");
        return AuthorizationResult.NoOpinion;
    }

    /// <summary>Every rule the user holds for requests in <paramref name="namespace"/> ("" for cluster-wide requests).</summary>
    public IEnumerable<GrantedRule> RulesFor(UserInfo user, string @namespace)
    {
        foreach (var binding in _clusterRoleBindings)
        {
            if (FirstMatching(binding.Subjects, user, "") is not { } subject || binding.RoleRef.Kind != "ClusterRole")
                continue;
            var source = $"ClusterRoleBinding \"{binding.Metadata.Name}\" of ClusterRole \"{binding.RoleRef.Name}\" to {Describe(subject)}";
            foreach (var rule in _clusterRoles.GetValueOrDefault(binding.RoleRef.Name)?.Rules ?? [])
                yield return new GrantedRule(rule, source);
        }
        if (@namespace.Length == 0 || !_roleBindingsByNamespace.TryGetValue(@namespace, out var bindings))
            yield break;
        foreach (var binding in bindings)
        {
            if (FirstMatching(binding.Subjects, user, @namespace) is not { } subject)
                continue;
            var rules = binding.RoleRef.Kind switch
            {
                "Role" => _roles.GetValueOrDefault($"{@namespace}/{binding.RoleRef.Name}")?.Rules,
                "ClusterRole" => _clusterRoles.GetValueOrDefault(binding.RoleRef.Name)?.Rules,
                _ => null,
            };
            var source = $"RoleBinding \"{binding.Metadata.Name}/{@namespace}\" of {binding.RoleRef.Kind} \"{binding.RoleRef.Name}\" to {Describe(subject)}";
            foreach (var rule in rules ?? [])
                yield return new GrantedRule(rule, source);
        }
    }

    /// <summary>
    /// The rules of the role a binding in <paramref name="bindingNamespace"/> refers to (kube's GetRoleReferenceRules):
    /// a Role of that namespace or a ClusterRole; null when it does not exist.
    /// </summary>
    public ImmutableList<PolicyRule>? RulesOf(RoleRef roleRef, string bindingNamespace) => roleRef.Kind switch
    {
        "Role" => _roles.TryGetValue($"{bindingNamespace}/{roleRef.Name}", out var role) ? role.Rules ?? [] : null,
        "ClusterRole" => _clusterRoles.TryGetValue(roleRef.Name, out var clusterRole) ? clusterRole.Rules ?? [] : null,
        _ => null,
    };

    /// <summary>kube's appliesToUser: a User by name, a Group by membership, a ServiceAccount by its user name
    /// (namespace defaulting to the binding's).</summary>
    public static bool AppliesTo(Subject subject, UserInfo user, string bindingNamespace) => subject.Kind switch
    {
        Subject.UserKind => user.Name == subject.Name,
        Subject.GroupKind => user.InGroup(subject.Name),
        Subject.ServiceAccountKind => user.Name == WellKnownUsers.ServiceAccount(
            string.IsNullOrEmpty(subject.Namespace) ? bindingNamespace : subject.Namespace, subject.Name),
        _ => false,
    };

    private static Subject? FirstMatching(ImmutableList<Subject>? subjects, UserInfo user, string bindingNamespace) =>
        subjects?.FirstOrDefault(s => AppliesTo(s, user, bindingNamespace));

    private static string Describe(Subject subject) => subject.Kind == Subject.ServiceAccountKind
        ? $"ServiceAccount \"{subject.Name}/{subject.Namespace}\""
        : $"{subject.Kind} \"{subject.Name}\"";
}
