using System.Collections.Immutable;
using System.Text;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// The rules ReplicaSets and Deployments share (Kubernetes' ValidateReplicaSetSpec and ValidatePodTemplateSpecForReplicaSet):
/// a selector that is present, not empty and well formed; a template whose labels it matches, whose pods always
/// restart; a selector that never changes (apps/v1).
/// </summary>
public static class WorkloadValidation
{
    public const string SelectorMismatch = "`selector` does not match template `labels`";
    public const string EmptySelector = "empty selector is invalid for deployment";
    public static readonly ImmutableArray<string> Operators = ["In", "NotIn", "Exists", "DoesNotExist"];

    public static IEnumerable<FieldError> Replicas(int? replicas, int? minReadySeconds)
    {
        foreach (var error in NumberValidation.NonNegative(replicas, "spec.replicas"))
            yield return error;
        foreach (var error in NumberValidation.NonNegative(minReadySeconds, "spec.minReadySeconds"))
            yield return error;
    }

    public static IEnumerable<FieldError> SelectorAndTemplate(LabelSelectorSpec? selector, PodTemplateSpec? template)
    {
        var selectorErrors = new List<FieldError>();
        if (selector is null)
        {
            selectorErrors.Add(FieldError.Required("spec.selector"));
        }
        else
        {
            selectorErrors.AddRange(Selector(selector, "spec.selector"));
            if (selector.IsEmpty)
                selectorErrors.Add(new FieldError("spec.selector", "Invalid value", $"{GoSyntax.Selector(selector)}: {EmptySelector}"));
        }
        foreach (var error in selectorErrors)
            yield return error;

        if (template is null)
        {
            yield return FieldError.Required("spec.template");
            yield break;
        }
        var labels = template.Metadata?.Labels;
        if (selector is { IsEmpty: false } && selectorErrors.Count == 0 && !selector.ToSelector().Matches(labels))
            yield return new FieldError("spec.template.metadata.labels", "Invalid value", $"{GoSyntax.Map(labels)}: {SelectorMismatch}");
        foreach (var error in SyntaxValidation.Labels(labels, "spec.template.metadata.labels"))
            yield return error;
        var spec = template.Spec ?? new PodSpec();
        foreach (var error in PodValidation.Spec(spec, "spec.template.spec"))
            yield return error;
        if (spec.RestartPolicy is { } policy && policy != "Always" && PodValidation.RestartPolicies.Contains(policy))
            yield return FieldError.Unsupported("spec.template.spec.restartPolicy", policy, ["Always"]);
        if (spec.EphemeralContainers is { Count: > 0 })
            yield return FieldError.Forbidden("spec.template.spec.ephemeralContainers", "ephemeral containers not allowed in pod template");
        if (spec.ActiveDeadlineSeconds is { } deadline)
            yield return NumberValidation.Invalid("spec.template.spec.activeDeadlineSeconds", deadline, "activeDeadlineSeconds in ReplicaSet is not Supported");
    }

    /// <summary>apps/v1 selectors are immutable: pods chosen by one selector would be lost to another.</summary>
    public static IEnumerable<FieldError> SelectorUnchanged(LabelSelectorSpec? old, LabelSelectorSpec? updated)
    {
        if (GoSyntax.Selector(old) != GoSyntax.Selector(updated))
            yield return new FieldError("spec.selector", "Invalid value", $"{GoSyntax.Selector(updated)}: {ValidationMessages.Immutable}");
    }

    internal static IEnumerable<FieldError> Selector(LabelSelectorSpec selector, string field)
    {
        foreach (var error in SyntaxValidation.Labels(selector.MatchLabels, $"{field}.matchLabels"))
            yield return error;
        var expressions = selector.MatchExpressions ?? [];
        for (var i = 0; i < expressions.Count; i++)
        {
            var e = expressions[i];
            var at = $"{field}.matchExpressions[{i}]";
            var hasValues = e.Values is { Count: > 0 };
            switch (e.Operator)
            {
                case "In" or "NotIn" when !hasValues:
                    yield return FieldError.Required($"{at}.values") with { Detail = "must be specified when `operator` is 'In' or 'NotIn'" };
                    break;
                case "Exists" or "DoesNotExist" when hasValues:
                    yield return FieldError.Forbidden($"{at}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    break;
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                default:
                    yield return FieldError.Invalid($"{at}.operator", e.Operator, "not a valid selector operator");
                    break;
            }
            foreach (var error in SyntaxValidation.QualifiedName(e.Key, $"{at}.key"))
                yield return error;
            foreach (var value in e.Values ?? [])
                foreach (var error in SyntaxValidation.LabelValue(value, $"{at}.values"))
                    yield return error;
        }
    }

    /// <summary>Values printed as Go's %#v prints them, as Kubernetes' field errors do for maps and structs.</summary>
    internal static class GoSyntax
    {
        public static string Map(IReadOnlyDictionary<string, string>? map) =>
            map is null ? "map[string]string(nil)"
                : $"map[string]string{{{string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Quote(p.Key)}:{Quote(p.Value)}"))}}}";

        public static string Selector(LabelSelectorSpec? selector)
        {
            if (selector is null)
                return "null";
            var expressions = selector.MatchExpressions is null ? "[]v1.LabelSelectorRequirement(nil)"
                : $"[]v1.LabelSelectorRequirement{{{string.Join(", ", selector.MatchExpressions.Select(Requirement))}}}";
            return $"v1.LabelSelector{{MatchLabels:{Map(selector.MatchLabels)}, MatchExpressions:{expressions}}}";
        }

        private static string Requirement(LabelSelectorRequirementSpec r)
        {
            var values = r.Values is null ? "[]string(nil)" : $"[]string{{{string.Join(", ", r.Values.Select(Quote))}}}";
            return $"v1.LabelSelectorRequirement{{Key:{Quote(r.Key)}, Operator:{Quote(r.Operator)}, Values:{values}}}";
        }

        private static string Quote(string s)
        {
            var b = new StringBuilder("\"");
            foreach (var c in s)
                b.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", _ => c.ToString() });
            return b.Append('"').ToString();
        }
    }
}
