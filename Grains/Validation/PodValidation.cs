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

    public static ImmutableList<FieldError> Validate(Pod pod) =>
        [.. MetadataValidation.Validate(pod.Metadata, namespaced: true), .. Spec(pod.Spec, "spec")];

    /// <summary>The pod spec rules at <paramref name="field"/> (also for the pod templates of workloads).</summary>
    public static IEnumerable<FieldError> Spec(PodSpec spec, string field)
    {
        foreach (var error in ContainerValidation.Validate(spec.Containers, $"{field}.containers"))
            yield return error;

        if (!string.IsNullOrEmpty(spec.RestartPolicy) && !RestartPolicies.Contains(spec.RestartPolicy))
            yield return FieldError.Unsupported($"{field}.restartPolicy", spec.RestartPolicy, RestartPolicies);

        foreach (var error in SyntaxValidation.Labels(spec.NodeSelector, $"{field}.nodeSelector"))
            yield return error;

        if (!string.IsNullOrEmpty(spec.NodeName))
            foreach (var error in SyntaxValidation.Dns1123Subdomain(spec.NodeName, $"{field}.nodeName"))
                yield return error;

        foreach (var error in TaintValidation.Tolerations(spec.Tolerations, $"{field}.tolerations"))
            yield return error;

        if (spec.ActiveDeadlineSeconds is { } deadline and (< 1 or > int.MaxValue))
            yield return NumberValidation.Invalid($"{field}.activeDeadlineSeconds", deadline, ValidationMessages.InclusiveRange(1, int.MaxValue));

        foreach (var error in NumberValidation.NonNegative(spec.TerminationGracePeriodSeconds, $"{field}.terminationGracePeriodSeconds"))
            yield return error;

        if (!string.IsNullOrEmpty(spec.Hostname))
            foreach (var error in SyntaxValidation.Dns1123Label(spec.Hostname, $"{field}.hostname"))
                yield return error;

        if (!string.IsNullOrEmpty(spec.SchedulerName))
            foreach (var error in SyntaxValidation.Dns1123Subdomain(spec.SchedulerName, $"{field}.schedulerName"))
                yield return error;
    }
}
