using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' pod rules, every problem reported at once with its field path. Fields that
/// <see cref="PodDefaults"/> fills are accepted when unset, so the answer is the same before and after defaulting.
/// </summary>
public static partial class PodValidation
{
    public static readonly ImmutableArray<string> RestartPolicies = ["Always", "OnFailure", "Never"];
    public static readonly ImmutableArray<string> DnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    public static readonly ImmutableArray<string> PreemptionPolicies = ["PreemptLowerPriority", "PreemptNever"];
    public static readonly ImmutableArray<string> OperatingSystems = ["linux", "windows"];

    /// <summary>A new pod: the spec rules, and no ephemeral containers (they are added to a running pod).</summary>
    public static ImmutableList<FieldError> Validate(Pod pod)
    {
        var errors = ImmutableList.CreateRange([.. MetadataValidation.Validate(pod.Metadata, namespaced: true), .. Spec(pod.Spec, "spec")]);
        return pod.Spec.EphemeralContainers is { Count: > 0 }
            ? errors.Add(FieldError.Forbidden("spec.ephemeralContainers", "cannot be set on create"))
            : errors;
    }

    /// <summary>The pod spec rules at <paramref name="field"/> (also for the pod templates of workloads).</summary>
    public static IEnumerable<FieldError> Spec(PodSpec spec, string field)
    {
        var errors = VolumeValidation.Validate(spec.Volumes, $"{field}.volumes")
            .Concat(ContainerValidation.Validate(spec, field))
            .Concat(SecurityContextValidation.Pod(spec, field))
            .Concat(PodSchedulingValidation.Validate(spec, field))
            .Concat(PodDnsValidation.Validate(spec, field));
        foreach (var error in errors)
            yield return error;

        if (!string.IsNullOrEmpty(spec.RestartPolicy) && !RestartPolicies.Contains(spec.RestartPolicy))
            yield return FieldError.Unsupported($"{field}.restartPolicy", spec.RestartPolicy, RestartPolicies);

        if (spec.ActiveDeadlineSeconds is { } deadline and (< 1 or > int.MaxValue))
            yield return NumberValidation.Invalid($"{field}.activeDeadlineSeconds", deadline, ValidationMessages.InclusiveRange(1, int.MaxValue));

        foreach (var error in NumberValidation.NonNegative(spec.TerminationGracePeriodSeconds, $"{field}.terminationGracePeriodSeconds"))
            yield return error;

        var names = new (string? Value, string Name)[]
        {
            (spec.ServiceAccountName, "serviceAccountName"), (spec.RuntimeClassName, "runtimeClassName"),
        };
        foreach (var (value, name) in names.Where(n => !string.IsNullOrEmpty(n.Value)))
            foreach (var error in SyntaxValidation.Dns1123Subdomain(value!, $"{field}.{name}"))
                yield return error;

        // Running the pod in the host's user namespace would silently give it less isolation than it asked for.
        if (spec.HostUsers == false)
            yield return FieldError.Forbidden($"{field}.hostUsers", "Granary does not run pods in user namespaces: remove hostUsers or set it to true");

        if (spec.Os is { } os && !OperatingSystems.Contains(os.Name))
            yield return FieldError.Unsupported($"{field}.os.name", os.Name, OperatingSystems);

        foreach (var (gate, i) in (spec.ReadinessGates ?? []).Select((g, i) => (g, i)))
            foreach (var error in SyntaxValidation.QualifiedName(gate.ConditionType, $"{field}.readinessGates[{i}].conditionType"))
                yield return error;

        foreach (var error in QuantityValidation.Requirements(spec.Resources, $"{field}.resources"))
            yield return error;
    }
}
