using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' NodeSelector rules (ValidateNodeSelector): at least one term, each requirement well formed.</summary>
public static class NodeSelectorValidation
{
    public static IEnumerable<FieldError> Validate(NodeSelector selector, string field)
    {
        if (selector.NodeSelectorTerms is not { Count: > 0 })
        {
            yield return FieldError.Required($"{field}.nodeSelectorTerms") with { Detail = "must have at least one node selector term" };
            yield break;
        }
        for (var t = 0; t < selector.NodeSelectorTerms.Count; t++)
        {
            var term = selector.NodeSelectorTerms[t];
            var at = $"{field}.nodeSelectorTerms[{t}]";
            var expressions = term.MatchExpressions ?? [];
            for (var i = 0; i < expressions.Count; i++)
                foreach (var error in Expression(expressions[i], $"{at}.matchExpressions[{i}]"))
                    yield return error;
            var fields = term.MatchFields ?? [];
            for (var i = 0; i < fields.Count; i++)
                foreach (var error in Field(fields[i], $"{at}.matchFields[{i}]"))
                    yield return error;
        }
    }

    private static IEnumerable<FieldError> Expression(NodeSelectorRequirement r, string at)
    {
        var count = r.Values?.Count ?? 0;
        switch (r.Operator)
        {
            case "In" or "NotIn" when count == 0:
                yield return FieldError.Required($"{at}.values") with { Detail = "must be specified when `operator` is 'In' or 'NotIn'" };
                break;
            case "Exists" or "DoesNotExist" when count > 0:
                yield return FieldError.Forbidden($"{at}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                break;
            case "Gt" or "Lt" when count != 1 || !long.TryParse(r.Values![0], out _):
                yield return FieldError.Required($"{at}.values") with { Detail = "must be specified single value when `operator` is 'Lt' or 'Gt'" };
                break;
            case "In" or "NotIn" or "Exists" or "DoesNotExist" or "Gt" or "Lt":
                break;
            default:
                yield return FieldError.Invalid($"{at}.operator", r.Operator, "not a valid selector operator");
                break;
        }
        foreach (var error in SyntaxValidation.QualifiedName(r.Key, $"{at}.key"))
            yield return error;
    }

    private static IEnumerable<FieldError> Field(NodeSelectorRequirement r, string at)
    {
        if (r.Key != "metadata.name")
            yield return FieldError.Invalid($"{at}.key", r.Key, "not a valid field selector key");
        if (r.Operator is not ("In" or "NotIn"))
            yield return FieldError.Invalid($"{at}.operator", r.Operator, "not a valid selector operator");
        if (r.Values is not { Count: 1 })
            yield return FieldError.Required($"{at}.values") with { Detail = "must be only one value when `operator` is 'In' or 'NotIn' for node field selector" };
    }
}
