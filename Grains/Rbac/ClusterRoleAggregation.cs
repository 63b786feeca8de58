using Granary.Grains.Security.Rbac;
using Granary.Model;

namespace Granary.Grains.Rbac;

/// <summary>
/// The pure half of kube's clusterrole-aggregation controller: the rules an aggregated ClusterRole should have, the
/// rules of every other ClusterRole its selectors match, in name order, each rule once.
/// </summary>
public static class ClusterRoleAggregation
{
    /// <summary>The aggregated roles whose rules differ from what their selectors gather, with the rules they should have.</summary>
    public static IReadOnlyList<ClusterRole> Plan(IReadOnlyCollection<ClusterRole> roles)
    {
        var ordered = roles.OrderBy(r => r.Metadata.Name, StringComparer.Ordinal).ToList();
        var changes = new List<ClusterRole>();
        foreach (var role in ordered)
        {
            if (role.AggregationRule?.ClusterRoleSelectors is not { Count: > 0 } selectors)
                continue;
            var parsed = selectors.Select(s => s.ToSelector()).ToList();
            var rules = new List<PolicyRule>();
            foreach (var other in ordered)
            {
                if (other.Metadata.Name == role.Metadata.Name || !parsed.Any(s => s.Matches(other.Metadata.Labels)))
                    continue;
                foreach (var rule in other.Rules ?? [])
                    if (!rules.Any(r => RuleEquality.Equal(r, rule)))
                        rules.Add(rule);
            }
            var current = role.Rules ?? [];
            if (current.Count != rules.Count || current.Zip(rules).Any(p => !RuleEquality.Equal(p.First, p.Second)))
                changes.Add(role with { Rules = [.. rules] });
        }
        return changes;
    }
}
