using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Where a pod may run, in kube's words: nodeName, nodeSelector, tolerations, scheduler, priority, scheduling gates and
/// overhead. Affinity and topology spread are in <see cref="AffinityValidation"/>.
/// </summary>
internal static class PodSchedulingValidation
{
    public static IEnumerable<FieldError> Validate(PodSpec spec, string field)
    {
        var errors = SyntaxValidation.Labels(spec.NodeSelector, $"{field}.nodeSelector")
            .Concat(TaintValidation.Tolerations(spec.Tolerations, $"{field}.tolerations"))
            .Concat(AffinityValidation.Affinity(spec.Affinity, $"{field}.affinity"))
            .Concat(AffinityValidation.TopologySpread(spec.TopologySpreadConstraints, $"{field}.topologySpreadConstraints"));
        foreach (var error in errors)
            yield return error;

        var subdomains = new (string? Value, string Name)[]
        {
            (spec.NodeName, "nodeName"), (spec.SchedulerName, "schedulerName"), (spec.PriorityClassName, "priorityClassName"),
        };
        foreach (var (value, name) in subdomains.Where(n => !string.IsNullOrEmpty(n.Value)))
            foreach (var error in SyntaxValidation.Dns1123Subdomain(value!, $"{field}.{name}"))
                yield return error;

        // Unset is PreemptLowerPriority (see PodDefaults).
        if (!string.IsNullOrEmpty(spec.PreemptionPolicy) && !PodValidation.PreemptionPolicies.Contains(spec.PreemptionPolicy))
            yield return FieldError.Unsupported($"{field}.preemptionPolicy", spec.PreemptionPolicy, PodValidation.PreemptionPolicies);

        var gates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (gate, i) in (spec.SchedulingGates ?? []).Select((g, i) => (g, i)))
        {
            var path = $"{field}.schedulingGates[{i}].name";
            foreach (var error in SyntaxValidation.QualifiedName(gate.Name, path))
                yield return error;
            if (!gates.Add(gate.Name))
                yield return FieldError.Duplicate(path, gate.Name);
        }

        foreach (var (name, quantity) in spec.Overhead ?? ImmutableSortedDictionary<string, Quantity>.Empty)
            foreach (var error in QuantityValidation.Value(name, quantity, $"{field}.overhead[{name}]"))
                yield return error;
    }
}
