using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Security.Rbac;

/// <summary>
/// kube's reconciliation of the bootstrap policy at start (the "auth reconcile" rules), pure: a missing object is
/// created; an existing one keeps everything a user added and gets back what the default lacks (missing labels and
/// annotations, rules, aggregation selectors, subjects); an object annotated autoupdate "false" is left alone.
/// Null means nothing to write.
/// </summary>
public static class BootstrapReconciliation
{
    public static ClusterRole? Reconcile(ClusterRole expected, ClusterRole? existing)
    {
        if (existing is null)
            return expected;
        if (OptedOut(existing.Metadata))
            return null;
        var reconciled = existing with { Metadata = MergedMeta(existing.Metadata, expected.Metadata) };
        if (expected.AggregationRule is { } aggregation)
        {
            // Aggregated rules belong to the aggregation controller; only the selectors are reconciled.
            var selectors = existing.AggregationRule?.ClusterRoleSelectors ?? [];
            var missing = (aggregation.ClusterRoleSelectors ?? []).Where(s => !selectors.Any(e => SameSelector(e, s))).ToList();
            if (missing.Count > 0)
                reconciled = reconciled with { AggregationRule = new AggregationRule { ClusterRoleSelectors = selectors.AddRange(missing) } };
        }
        else
        {
            var rules = existing.Rules ?? [];
            var missing = (expected.Rules ?? []).Where(r => !rules.Any(e => RuleEquality.Equal(e, r))).ToList();
            if (missing.Count > 0)
                reconciled = reconciled with { Rules = rules.AddRange(missing) };
        }
        return reconciled == existing ? null : reconciled;
    }

    /// <summary>The binding to write; <c>Recreate</c> when the roleRef differs, which only a delete and create can change.</summary>
    public static (ClusterRoleBinding? Write, bool Recreate) Reconcile(ClusterRoleBinding expected, ClusterRoleBinding? existing)
    {
        if (existing is null)
            return (expected, false);
        if (OptedOut(existing.Metadata))
            return (null, false);
        if (existing.RoleRef != expected.RoleRef)
            return (expected with { Subjects = Union(existing.Subjects, expected.Subjects) }, true);
        var reconciled = existing with { Metadata = MergedMeta(existing.Metadata, expected.Metadata), Subjects = Union(existing.Subjects, expected.Subjects) };
        return (Same(reconciled, existing) ? null : reconciled, false);
    }

    private static bool OptedOut(ObjectMeta meta) =>
        meta.Annotations?.GetValueOrDefault(BootstrapPolicy.AutoupdateAnnotation) == "false";

    private static ObjectMeta MergedMeta(ObjectMeta existing, ObjectMeta expected) => existing with
    {
        Labels = Merged(existing.Labels, expected.Labels),
        Annotations = Merged(existing.Annotations, expected.Annotations),
    };

    private static ImmutableSortedDictionary<string, string>? Merged(ImmutableSortedDictionary<string, string>? existing, ImmutableSortedDictionary<string, string>? expected)
    {
        if (expected is null || expected.Keys.All(k => existing?.ContainsKey(k) == true))
            return existing;
        var merged = existing ?? ImmutableSortedDictionary<string, string>.Empty;
        foreach (var (key, value) in expected)
            if (!merged.ContainsKey(key))
                merged = merged.Add(key, value);
        return merged;
    }

    private static ImmutableList<Subject> Union(ImmutableList<Subject>? existing, ImmutableList<Subject>? expected)
    {
        var subjects = existing ?? [];
        foreach (var subject in expected ?? [])
            if (!subjects.Contains(subject))
                subjects = subjects.Add(subject);
        return subjects;
    }

    private static bool Same(ClusterRoleBinding a, ClusterRoleBinding b) =>
        ReferenceEquals(a.Metadata.Labels, b.Metadata.Labels) && ReferenceEquals(a.Metadata.Annotations, b.Metadata.Annotations)
        && (a.Subjects ?? []).SequenceEqual(b.Subjects ?? []);

    private static bool SameSelector(LabelSelectorSpec a, LabelSelectorSpec b) => a.ToSelector().ToString() == b.ToSelector().ToString();
}
