using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Node affinity, pod affinity and anti-affinity, and topology spread constraints, in kube's words.</summary>
public static class AffinityValidation
{
    public static readonly ImmutableArray<string> WhenUnsatisfiable = ["DoNotSchedule", "ScheduleAnyway"];
    public static readonly ImmutableArray<string> InclusionPolicies = ["Honor", "Ignore"];
    public const string WeightRule = "must be in the range 1-100";
    public const string NotPositive = "must be greater than zero";

    public static IEnumerable<FieldError> Affinity(Affinity? affinity, string field)
    {
        if (affinity is null)
            yield break;
        if (affinity.NodeAffinity is { } node)
        {
            var path = $"{field}.nodeAffinity";
            if (node.RequiredDuringSchedulingIgnoredDuringExecution is { } required)
            {
                var terms = $"{path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
                if (required.NodeSelectorTerms.Count == 0)
                    yield return FieldError.Required(terms) with { Detail = "must have at least one node selector term" };
                foreach (var (term, i) in required.NodeSelectorTerms.Select((t, i) => (t, i)))
                    foreach (var error in NodeSelectorTerm(term, $"{terms}[{i}]"))
                        yield return error;
            }
            foreach (var (preferred, i) in (node.PreferredDuringSchedulingIgnoredDuringExecution ?? []).Select((p, i) => (p, i)))
            {
                var at = $"{path}.preferredDuringSchedulingIgnoredDuringExecution[{i}]";
                foreach (var error in Weight(preferred.Weight, $"{at}.weight").Concat(NodeSelectorTerm(preferred.Preference, $"{at}.preference")))
                    yield return error;
            }
        }
        var podTerms = new[]
        {
            (affinity.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, affinity.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, $"{field}.podAffinity"),
            (affinity.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, affinity.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, $"{field}.podAntiAffinity"),
        };
        foreach (var (required, preferred, path) in podTerms)
        {
            foreach (var (term, i) in (required ?? []).Select((t, i) => (t, i)))
                foreach (var error in PodAffinityTerm(term, $"{path}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"))
                    yield return error;
            foreach (var (weighted, i) in (preferred ?? []).Select((t, i) => (t, i)))
            {
                var at = $"{path}.preferredDuringSchedulingIgnoredDuringExecution[{i}]";
                foreach (var error in Weight(weighted.Weight, $"{at}.weight").Concat(PodAffinityTerm(weighted.PodAffinityTerm, $"{at}.podAffinityTerm")))
                    yield return error;
            }
        }
    }

    public static IEnumerable<FieldError> TopologySpread(ImmutableList<TopologySpreadConstraint>? constraints, string field)
    {
        var pairs = new HashSet<(string, string)>();
        foreach (var (constraint, i) in (constraints ?? []).Select((c, i) => (c, i)))
        {
            var path = $"{field}[{i}]";
            if (constraint.MaxSkew <= 0)
                yield return NumberValidation.Invalid($"{path}.maxSkew", constraint.MaxSkew, NotPositive);
            foreach (var error in TopologyKey(constraint.TopologyKey, $"{path}.topologyKey"))
                yield return error;
            if (!WhenUnsatisfiable.Contains(constraint.WhenUnsatisfiable))
                yield return FieldError.Unsupported($"{path}.whenUnsatisfiable", constraint.WhenUnsatisfiable, WhenUnsatisfiable);
            else if (!pairs.Add((constraint.TopologyKey, constraint.WhenUnsatisfiable)))
                yield return FieldError.Duplicate($"{path}.{{topologyKey, whenUnsatisfiable}}", $"{{{constraint.TopologyKey}, {constraint.WhenUnsatisfiable}}}");
            if (constraint.MinDomains is { } minDomains)
            {
                if (minDomains <= 0)
                    yield return NumberValidation.Invalid($"{path}.minDomains", minDomains, NotPositive);
                else if (constraint.WhenUnsatisfiable != "DoNotSchedule")
                    yield return NumberValidation.Invalid($"{path}.minDomains", minDomains,
                        $"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {constraint.WhenUnsatisfiable}");
            }
            if (constraint.NodeAffinityPolicy is { } affinityPolicy && !InclusionPolicies.Contains(affinityPolicy))
                yield return FieldError.Unsupported($"{path}.nodeAffinityPolicy", affinityPolicy, InclusionPolicies);
            if (constraint.NodeTaintsPolicy is { } taintsPolicy && !InclusionPolicies.Contains(taintsPolicy))
                yield return FieldError.Unsupported($"{path}.nodeTaintsPolicy", taintsPolicy, InclusionPolicies);
            if (constraint.LabelSelector is { } selector)
                foreach (var error in WorkloadValidation.Selector(selector, $"{path}.labelSelector"))
                    yield return error;
        }
    }

    private static IEnumerable<FieldError> NodeSelectorTerm(NodeSelectorTerm term, string field)
    {
        foreach (var (requirement, i) in (term.MatchExpressions ?? []).Select((r, i) => (r, i)))
        {
            var path = $"{field}.matchExpressions[{i}]";
            var count = requirement.Values?.Count ?? 0;
            switch (requirement.Operator)
            {
                case "In" or "NotIn" when count == 0:
                    yield return FieldError.Required($"{path}.values") with { Detail = "must be specified when `operator` is 'In' or 'NotIn'" };
                    break;
                case "Exists" or "DoesNotExist" when count > 0:
                    yield return FieldError.Forbidden($"{path}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    break;
                case "Gt" or "Lt" when count != 1:
                    yield return FieldError.Required($"{path}.values") with { Detail = "must be specified single value when `operator` is 'Lt' or 'Gt'" };
                    break;
                case "In" or "NotIn" or "Exists" or "DoesNotExist" or "Gt" or "Lt":
                    break;
                default:
                    yield return FieldError.Invalid($"{path}.operator", requirement.Operator, "not a valid selector operator");
                    break;
            }
            foreach (var error in SyntaxValidation.QualifiedName(requirement.Key, $"{path}.key"))
                yield return error;
        }
        // Node fields are selected by name only.
        foreach (var (requirement, i) in (term.MatchFields ?? []).Select((r, i) => (r, i)))
        {
            var path = $"{field}.matchFields[{i}]";
            if (requirement.Operator is not ("In" or "NotIn"))
                yield return FieldError.Invalid($"{path}.operator", requirement.Operator, "not a valid selector operator");
            else if (requirement.Values is not { Count: 1 })
                yield return FieldError.Required($"{path}.values") with { Detail = "must be only one value when `operator` is 'In' or 'NotIn' for node field selector" };
            if (requirement.Key != "metadata.name")
                yield return FieldError.Invalid($"{path}.key", requirement.Key, "not a valid field selector key");
        }
    }

    private static IEnumerable<FieldError> PodAffinityTerm(PodAffinityTerm term, string field)
    {
        foreach (var error in TopologyKey(term.TopologyKey, $"{field}.topologyKey"))
            yield return error;
        foreach (var selector in new[] { (term.LabelSelector, "labelSelector"), (term.NamespaceSelector, "namespaceSelector") })
            if (selector.Item1 is { } s)
                foreach (var error in WorkloadValidation.Selector(s, $"{field}.{selector.Item2}"))
                    yield return error;
        foreach (var ns in term.Namespaces ?? [])
            foreach (var error in SyntaxValidation.Dns1123Label(ns, $"{field}.namespace"))
                yield return error;
    }

    private static IEnumerable<FieldError> TopologyKey(string key, string field)
    {
        if (key.Length == 0)
            yield return FieldError.Required(field) with { Detail = "can not be empty" };
        else
            foreach (var error in SyntaxValidation.QualifiedName(key, field))
                yield return error;
    }

    private static IEnumerable<FieldError> Weight(int weight, string field)
    {
        if (weight is < 1 or > 100)
            yield return NumberValidation.Invalid(field, weight, WeightRule);
    }
}
