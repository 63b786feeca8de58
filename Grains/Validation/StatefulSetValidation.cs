using System.Collections.Immutable;
using Granary.Errors;
using Granary.Grains.StatefulSets;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' StatefulSet rules (ValidateStatefulSet, ValidateStatefulSetUpdate), every problem at once with its
/// field path and kube's words. Unlike kube, the pod template's spec is validated here too, with a volume for each
/// claim template (the union kube's own comment asks for), so a template whose pods could never be created is refused
/// when it is written, not pod by pod later.
/// </summary>
public static class StatefulSetValidation
{
    public const string EmptySelector = "empty selector is invalid for statefulset";

    public const string SpecUpdateForbidden = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
        + "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

    private static readonly ImmutableArray<string> RetentionPolicies =
        [StatefulSetPersistentVolumeClaimRetentionPolicy.Retain, StatefulSetPersistentVolumeClaimRetentionPolicy.Delete];

    public static ImmutableList<FieldError> Validate(StatefulSet set) =>
        [.. MetadataValidation.Validate(set.Metadata, namespaced: true), .. Spec(set)];

    public static ImmutableList<FieldError> ValidateUpdate(StatefulSet old, StatefulSet updated)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        errors.AddRange(Spec(updated));
        var unchangeable = updated.Spec with
        {
            Replicas = old.Spec.Replicas,
            Template = old.Spec.Template,
            UpdateStrategy = old.Spec.UpdateStrategy,
            MinReadySeconds = old.Spec.MinReadySeconds,
            Ordinals = old.Spec.Ordinals,
            RevisionHistoryLimit = old.Spec.RevisionHistoryLimit,
            PersistentVolumeClaimRetentionPolicy = old.Spec.PersistentVolumeClaimRetentionPolicy,
        };
        if (!SpecComparison.AreEqual(unchangeable, old.Spec))
            errors.Add(FieldError.Forbidden("spec", SpecUpdateForbidden));
        return errors.ToImmutable();
    }

    private static IEnumerable<FieldError> Spec(StatefulSet set)
    {
        var spec = set.Spec;
        switch (spec.PodManagementPolicy)
        {
            case null or "":
                yield return FieldError.Required("spec.podManagementPolicy");
                break;
            case PodManagementPolicies.OrderedReady or PodManagementPolicies.Parallel:
                break;
            default:
                yield return FieldError.Invalid("spec.podManagementPolicy", spec.PodManagementPolicy,
                    $"must be '{PodManagementPolicies.OrderedReady}' or '{PodManagementPolicies.Parallel}'");
                break;
        }
        foreach (var error in UpdateStrategy(spec.UpdateStrategy))
            yield return error;
        if (spec.PersistentVolumeClaimRetentionPolicy is { } retention)
        {
            foreach (var error in RetentionPolicy(retention.WhenDeleted, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted"))
                yield return error;
            foreach (var error in RetentionPolicy(retention.WhenScaled, "spec.persistentVolumeClaimRetentionPolicy.whenScaled"))
                yield return error;
        }
        foreach (var error in WorkloadValidation.Replicas(spec.Replicas, spec.MinReadySeconds))
            yield return error;
        foreach (var error in NumberValidation.NonNegative(spec.Ordinals?.Start, "spec.ordinals.start"))
            yield return error;
        foreach (var error in NumberValidation.NonNegative(spec.RevisionHistoryLimit, "spec.revisionHistoryLimit"))
            yield return error;
        if (!string.IsNullOrEmpty(spec.ServiceName))
        {
            foreach (var error in SyntaxValidation.Dns1123Label(spec.ServiceName, "spec.serviceName"))
                yield return error;
        }
        foreach (var error in SelectorAndTemplate(spec))
            yield return error;
        foreach (var error in ClaimTemplates(set))
            yield return error;
    }

    private static IEnumerable<FieldError> UpdateStrategy(StatefulSetUpdateStrategy? strategy)
    {
        switch (strategy?.Type)
        {
            case null or "":
                yield return FieldError.Required("spec.updateStrategy");
                break;
            case StatefulSetUpdateStrategy.OnDeleteType when strategy.RollingUpdate is not null:
                yield return new FieldError("spec.updateStrategy.rollingUpdate", "Invalid value",
                    $"{Go(strategy.RollingUpdate)}: only allowed for updateStrategy '{StatefulSetUpdateStrategy.RollingUpdateType}'");
                break;
            case StatefulSetUpdateStrategy.OnDeleteType:
                break;
            case StatefulSetUpdateStrategy.RollingUpdateType:
                if (strategy.RollingUpdate is { } update)
                {
                    foreach (var error in NumberValidation.NonNegative(update.Partition ?? 0, "spec.updateStrategy.rollingUpdate.partition"))
                        yield return error;
                    if (update.MaxUnavailable is { } unavailable)
                    {
                        foreach (var error in MaxUnavailable(unavailable, "spec.updateStrategy.rollingUpdate.maxUnavailable"))
                            yield return error;
                    }
                }
                break;
            default:
                yield return FieldError.Invalid("spec.updateStrategy", strategy.Type,
                    $"must be '{StatefulSetUpdateStrategy.RollingUpdateType}' or '{StatefulSetUpdateStrategy.OnDeleteType}'");
                break;
        }
    }

    private static IEnumerable<FieldError> MaxUnavailable(IntOrString value, string field)
    {
        if (value.IntValue is { } count)
        {
            if (count < 0)
                yield return NumberValidation.Invalid(field, count, ValidationMessages.NonNegative);
            else if (count == 0)
                yield return NumberValidation.Invalid(field, count, "cannot be 0");
            yield break;
        }
        if (!RolloutLimits.TryPercent(value.StringValue, out var percent))
            yield return FieldError.Invalid(field, value.StringValue ?? "", DeploymentValidation.PercentSyntax);
        else if (percent == 0)
            yield return FieldError.Invalid(field, value.StringValue, "cannot be 0");
        else if (percent > 100)
            yield return FieldError.Invalid(field, value.StringValue, "must not be greater than 100%");
    }

    private static IEnumerable<FieldError> RetentionPolicy(string? policy, string field)
    {
        if (policy is null || !RetentionPolicies.Contains(policy))
            yield return FieldError.Unsupported(field, policy ?? "", RetentionPolicies);
    }

    private static IEnumerable<FieldError> SelectorAndTemplate(StatefulSetSpec spec)
    {
        var selectorErrors = new List<FieldError>();
        if (spec.Selector is not { } selector)
        {
            selectorErrors.Add(FieldError.Required("spec.selector"));
        }
        else
        {
            selectorErrors.AddRange(WorkloadValidation.Selector(selector, "spec.selector"));
            if (selector.IsEmpty)
                selectorErrors.Add(new FieldError("spec.selector", "Invalid value", $"{WorkloadValidation.GoSyntax.Selector(selector)}: {EmptySelector}"));
        }
        foreach (var error in selectorErrors)
            yield return error;

        if (spec.Template is not { } template)
        {
            yield return FieldError.Required("spec.template");
            yield break;
        }
        var labels = template.Metadata?.Labels;
        if (spec.Selector is { IsEmpty: false } matching && selectorErrors.Count == 0 && !matching.ToSelector().Matches(labels))
            yield return new FieldError("spec.template.metadata.labels", "Invalid value", $"{WorkloadValidation.GoSyntax.Map(labels)}: {WorkloadValidation.SelectorMismatch}");
        foreach (var error in SyntaxValidation.Labels(labels, "spec.template.labels"))
            yield return error;

        var podSpec = template.Spec ?? new PodSpec();
        if (podSpec.RestartPolicy != "Always")
            yield return FieldError.Unsupported("spec.template.spec.restartPolicy", podSpec.RestartPolicy ?? "", ["Always"]);
        if (podSpec.ActiveDeadlineSeconds is not null)
            yield return FieldError.Forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in StatefulSet is not Supported");
        if (podSpec.EphemeralContainers is { Count: > 0 })
            yield return FieldError.Forbidden("spec.template.spec.ephemeralContainers", "ephemeral containers not allowed in pod template");
        // The pods' volumes are the template's plus one per claim template, as the controller makes them.
        var withClaims = podSpec with { Volumes = StatefulSetPods.Volumes(podSpec.Volumes, ClaimVolumes(spec)) };
        foreach (var error in PodValidation.Spec(withClaims, "spec.template.spec"))
        {
            if (error.Field != "spec.template.spec.restartPolicy")
                yield return error;
        }
    }

    private static IEnumerable<(string Volume, string Claim)> ClaimVolumes(StatefulSetSpec spec) =>
        (spec.VolumeClaimTemplates ?? []).Where(t => !string.IsNullOrEmpty(t.Metadata.Name)).Select(t => (t.Metadata.Name!, t.Metadata.Name!));

    /// <summary>Each claim template must make valid claims: it is checked as the claim of ordinal 0 would be.</summary>
    private static IEnumerable<FieldError> ClaimTemplates(StatefulSet set)
    {
        var templates = set.Spec.VolumeClaimTemplates ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < templates.Count; i++)
        {
            var at = $"spec.volumeClaimTemplates[{i}]";
            var name = templates[i].Metadata.Name;
            if (string.IsNullOrEmpty(name))
            {
                yield return FieldError.Required($"{at}.metadata.name");
                continue;
            }
            if (!seen.Add(name))
                yield return FieldError.Duplicate($"{at}.metadata.name", name);
            var claimName = StatefulSetIdentity.ClaimName(name, set.Metadata.Name ?? "", StatefulSetIdentity.StartOrdinal(set));
            foreach (var error in SyntaxValidation.Dns1123Subdomain(claimName, $"{at}.metadata.name"))
                yield return error;
            var claim = templates[i] with { Metadata = new ObjectMeta { Name = claimName, Namespace = set.Metadata.Namespace ?? "default" } };
            foreach (var error in PersistentVolumeClaimValidation.Validate(claim).Where(e => !e.Field.StartsWith("metadata", StringComparison.Ordinal)))
                yield return error with { Field = $"{at}.{error.Field}" };
        }
    }

    private static string Go(RollingUpdateStatefulSetStrategy update) =>
        $"&apps.RollingUpdateStatefulSetStrategy{{Partition:{update.Partition ?? 0}, MaxUnavailable:{(update.MaxUnavailable is { } m ? m.ToString() : "<nil>")}}}";
}
