using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' RBAC rules (pkg/apis/rbac/validation): names are path segments; every rule has verbs and either
/// resources with API groups or non-resource URLs (cluster roles only), never both; a binding's roleRef names a Role
/// or ClusterRole of rbac.authorization.k8s.io and never changes; subjects are Users, Groups or ServiceAccounts.
/// </summary>
public static class RbacValidation
{
    public static ImmutableList<FieldError> Validate(Role role)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(role.Metadata, namespaced: true, NameRule.PathSegment));
        errors.AddRange(Rules(role.Rules, namespaced: true));
        return errors.ToImmutable();
    }

    public static ImmutableList<FieldError> Validate(ClusterRole role)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(role.Metadata, namespaced: false, NameRule.PathSegment));
        errors.AddRange(Rules(role.Rules, namespaced: false));
        if (role.AggregationRule is { } aggregation)
        {
            var selectors = aggregation.ClusterRoleSelectors ?? [];
            if (selectors.Count == 0)
                errors.Add(FieldError.Required("aggregationRule.clusterRoleSelectors") with { Detail = "at least one clusterRoleSelector required if aggregationRule is non-nil" });
            for (var i = 0; i < selectors.Count; i++)
                errors.AddRange(WorkloadValidation.Selector(selectors[i], $"aggregationRule.clusterRoleSelectors[{i}]"));
        }
        return errors.ToImmutable();
    }

    public static ImmutableList<FieldError> Validate(RoleBinding binding)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(binding.Metadata, namespaced: true, NameRule.PathSegment));
        errors.AddRange(RoleRefErrors(binding.RoleRef, [Kinds.Role, Kinds.ClusterRole]));
        errors.AddRange(Subjects(binding.Subjects, namespaced: true));
        return errors.ToImmutable();
    }

    public static ImmutableList<FieldError> Validate(ClusterRoleBinding binding)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(binding.Metadata, namespaced: false, NameRule.PathSegment));
        errors.AddRange(RoleRefErrors(binding.RoleRef, [Kinds.ClusterRole]));
        errors.AddRange(Subjects(binding.Subjects, namespaced: false));
        return errors.ToImmutable();
    }

    /// <summary>A binding's role cannot change: kube makes users delete and recreate it, so a grant is never silently widened.</summary>
    public static IEnumerable<FieldError> RoleRefUnchanged(RoleRef old, RoleRef updated)
    {
        if (old != updated)
            yield return new FieldError("roleRef", "Invalid value",
                $"rbac.RoleRef{{APIGroup:\"{updated.ApiGroup}\", Kind:\"{updated.Kind}\", Name:\"{updated.Name}\"}}: cannot change roleRef");
    }

    /// <summary>kube's SetDefaults_Subject: Users and Groups belong to rbac.authorization.k8s.io when no group is given.</summary>
    public static ImmutableList<Subject>? DefaultSubjects(ImmutableList<Subject>? subjects) =>
        subjects?.Select(s => string.IsNullOrEmpty(s.ApiGroup) && s.Kind is Subject.UserKind or Subject.GroupKind ? s with { ApiGroup = Subject.RbacGroup } : s).ToImmutableList();

    private static class Kinds
    {
        public const string Role = "Role";
        public const string ClusterRole = "ClusterRole";
    }

    private static IEnumerable<FieldError> Rules(ImmutableList<PolicyRule>? rules, bool namespaced)
    {
        rules ??= [];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"rules[{i}]";
            if (rule.Verbs is not { Count: > 0 })
                yield return FieldError.Required($"{at}.verbs") with { Detail = "verbs must contain at least one value" };
            if (rule.NonResourceUrls is { Count: > 0 } urls)
            {
                var shown = $"[]string{{{string.Join(", ", urls.Select(u => $"\"{u}\""))}}}";
                if (namespaced)
                    yield return new FieldError($"{at}.nonResourceURLs", "Invalid value", $"{shown}: namespaced rules cannot apply to non-resource URLs");
                if (rule.ApiGroups is { Count: > 0 } || rule.Resources is { Count: > 0 })
                    yield return new FieldError($"{at}.nonResourceURLs", "Invalid value", $"{shown}: rules cannot apply to both regular resources and non-resource URLs");
                continue;
            }
            if (rule.ApiGroups is not { Count: > 0 })
                yield return FieldError.Required($"{at}.apiGroups") with { Detail = "resource rules must supply at least one api group" };
            if (rule.Resources is not { Count: > 0 })
                yield return FieldError.Required($"{at}.resources") with { Detail = "resource rules must supply at least one resource" };
        }
    }

    private static IEnumerable<FieldError> RoleRefErrors(RoleRef roleRef, string[] kinds)
    {
        if (roleRef.ApiGroup != Subject.RbacGroup)
            yield return FieldError.Unsupported("roleRef.apiGroup", roleRef.ApiGroup, [Subject.RbacGroup]);
        if (!kinds.Contains(roleRef.Kind))
            yield return FieldError.Unsupported("roleRef.kind", roleRef.Kind, kinds);
        if (string.IsNullOrEmpty(roleRef.Name))
            yield return FieldError.Required("roleRef.name");
        else
            foreach (var message in MetadataValidation.PathSegmentMessages(roleRef.Name))
                yield return FieldError.Invalid("roleRef.name", roleRef.Name, message);
    }

    private static IEnumerable<FieldError> Subjects(ImmutableList<Subject>? subjects, bool namespaced)
    {
        subjects ??= [];
        for (var i = 0; i < subjects.Count; i++)
        {
            var subject = subjects[i];
            var at = $"subjects[{i}]";
            if (string.IsNullOrEmpty(subject.Name))
                yield return FieldError.Required($"{at}.name");
            switch (subject.Kind)
            {
                case Subject.ServiceAccountKind:
                    if (!string.IsNullOrEmpty(subject.Name))
                        foreach (var message in SyntaxValidation.Dns1123SubdomainMessages(subject.Name))
                            yield return FieldError.Invalid($"{at}.name", subject.Name, message);
                    if (!string.IsNullOrEmpty(subject.ApiGroup))
                        yield return FieldError.Unsupported($"{at}.apiGroup", subject.ApiGroup, [""]);
                    if (!namespaced && string.IsNullOrEmpty(subject.Namespace))
                        yield return FieldError.Required($"{at}.namespace");
                    break;
                case Subject.UserKind or Subject.GroupKind:
                    if (subject.ApiGroup != Subject.RbacGroup)
                        yield return FieldError.Unsupported($"{at}.apiGroup", subject.ApiGroup ?? "", [Subject.RbacGroup]);
                    break;
                default:
                    yield return FieldError.Unsupported($"{at}.kind", subject.Kind, [Subject.ServiceAccountKind, Subject.UserKind, Subject.GroupKind]);
                    break;
            }
        }
    }
}
